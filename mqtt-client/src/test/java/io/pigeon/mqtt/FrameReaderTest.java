package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Bounded memory on the way in: large packets are not kept, oversized ones not held at all. */
class FrameReaderTest {
    private static byte[] publish(String topic, int payloadLength, int qos, int id) {
        MqttEncoder e = new MqttEncoder(64);
        byte[] t = topic.getBytes(UTF_8);
        e.publish(t, t.length, new byte[payloadLength], 0, payloadLength, qos, false, false, id);
        return Arrays.copyOf(e.array(), e.length());
    }

    /** Feeds {@code bytes} in chunks, returning the largest buffer the reader had meanwhile. */
    private static int feed(FrameReader r, byte[] bytes, int chunk) {
        int largest = r.capacity();
        for (int i = 0; i < bytes.length; i += chunk) {
            r.append(ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i)));
            largest = Math.max(largest, r.capacity());
        }
        return largest;
    }

    @Test
    void theBufferShrinksBackAfterALargePacket() throws Exception {
        FrameReader r = new FrameReader(new MqttDecoder(1 << 20), 1 << 20, 256);
        feed(r, publish("big", 300_000, 0, 0), 16_384);
        Packet p = new Packet();
        assertTrue(r.poll(p));
        assertEquals(300_000, p.payloadLength);
        assertTrue(r.capacity() <= FrameReader.KEEP_CAPACITY, "back to " + r.capacity());
    }

    @Test
    void anOversizedPublishIsHandedOutWithoutItsPayloadAndTheNextPacketFollows() throws Exception {
        FrameReader r = new FrameReader(new MqttDecoder(1024), 1024, 256);
        byte[] big = publish("cmd/relay/set", 5_000_000, 1, 5);
        byte[] next = publish("cmd/x", 3, 0, 0);
        byte[] both = Arrays.copyOf(big, big.length + next.length);
        System.arraycopy(next, 0, both, big.length, next.length);
        Packet p = new Packet();
        int largest = r.capacity();
        boolean sawBig = false;
        for (int i = 0; i < both.length; i += 4096) {
            r.append(ByteBuffer.wrap(both, i, Math.min(4096, both.length - i)));
            largest = Math.max(largest, r.capacity());
            while (r.poll(p)) {
                if (!sawBig) {
                    assertEquals(big.length, p.oversizedLength);
                    assertEquals("cmd/relay/set", p.topic);
                    assertEquals(5, p.packetId);
                    assertEquals(1, p.qos);
                    sawBig = true;
                } else {
                    assertEquals("cmd/x", p.topic);
                    assertEquals(0, p.oversizedLength);
                    assertEquals(3, p.payloadLength);
                }
            }
        }
        assertTrue(sawBig);
        assertEquals(0, r.buffered());
        assertTrue(largest <= FrameReader.HEADER_MAX, "held at most the headers: " + largest);
    }

    @Test
    void anOversizedPacketOfAnotherKindIsAProtocolError() {
        FrameReader r = new FrameReader(new MqttDecoder(1024), 1024, 256);
        r.append(ByteBuffer.wrap(new byte[] {(byte) 0x90, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        assertThrows(MqttProtocolException.class, () -> r.poll(new Packet()));
    }

    @Test
    void anOversizedPublishWithQos3IsStillMalformed() {
        FrameReader r = new FrameReader(new MqttDecoder(64), 64, 64);
        byte[] big = publish("a", 1000, 1, 1);
        big[0] = (byte) 0x36; // QoS 3
        r.append(ByteBuffer.wrap(big));
        assertThrows(MqttProtocolException.class, () -> r.poll(new Packet()));
        assertFalse(big.length < 64);
    }
}
