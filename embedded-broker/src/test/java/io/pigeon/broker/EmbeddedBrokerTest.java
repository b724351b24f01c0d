package io.pigeon.broker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class EmbeddedBrokerTest {
    /** CONNECT, MQTT 3.1.1, clean session, keep-alive 30 s. */
    static byte[] connect(String clientId) {
        byte[] id = clientId.getBytes(UTF_8);
        byte[] p = new byte[2 + 12 + id.length];
        p[0] = 0x10;
        p[1] = (byte) (12 + id.length);
        byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30, 0, (byte) id.length};
        System.arraycopy(variable, 0, p, 2, variable.length);
        System.arraycopy(id, 0, p, 14, id.length);
        return p;
    }

    /** SUBSCRIBE to "t/#" at QoS 0, packet id 1. */
    static final byte[] SUBSCRIBE = {(byte) 0x82, 8, 0, 1, 0, 3, 't', '/', '#', 0};
    static final byte[] SUBACK = {(byte) 0x90, 3, 0, 1, 0};

    @Test
    void aSubscribeSentTheMomentTheConnackArrivesIsAnswered() throws Exception {
        // Moquette alone dropped about one such connection in five on this machine.
        try (EmbeddedBroker broker = new EmbeddedBroker(0)) {
            for (int i = 0; i < 300; i++) {
                String id = i % 10 == 0 ? "" : "quick-" + i;
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
                    s.setTcpNoDelay(true);
                    s.setSoTimeout(5000);
                    OutputStream out = s.getOutputStream();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    out.write(connect(id));
                    byte[] connack = new byte[4];
                    in.readFully(connack);
                    assertArrayEquals(new byte[] {0x20, 2, 0, 0}, connack, "CONNACK of " + i);
                    out.write(SUBSCRIBE);
                    byte[] suback = new byte[5];
                    try {
                        in.readFully(suback);
                    } catch (IOException e) {
                        throw new AssertionError("connection " + i + " ('" + id + "') closed instead of a SUBACK", e);
                    }
                    assertArrayEquals(SUBACK, suback, "SUBACK of " + i);
                    out.write(new byte[] {(byte) 0xe0, 0});
                }
            }
        }
    }

    /** A fixed header with the remaining length as MQTT encodes it. */
    private static byte[] header(int type, int remaining) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(type);
        do {
            int digit = remaining % 128;
            remaining /= 128;
            b.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        return b.toByteArray();
    }

    private static int readRemaining(DataInputStream in) throws IOException {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    @Test
    void messagesUpToTheGatewaysOwnLimitsGetThrough() throws Exception {
        // Moquette's default limit (8,092 bytes) dropped larger messages while the sender saw success.
        try (EmbeddedBroker broker = new EmbeddedBroker(0);
             Socket sub = new Socket(InetAddress.getLoopbackAddress(), broker.port());
             Socket pub = new Socket(InetAddress.getLoopbackAddress(), broker.port())) {
            sub.setSoTimeout(10_000);
            pub.setSoTimeout(10_000);
            DataInputStream subIn = new DataInputStream(sub.getInputStream());
            sub.getOutputStream().write(connect("big-sub"));
            subIn.readFully(new byte[4]);
            sub.getOutputStream().write(SUBSCRIBE);
            subIn.readFully(new byte[5]);
            pub.getOutputStream().write(connect("big-pub"));
            new DataInputStream(pub.getInputStream()).readFully(new byte[4]);
            int size = 300 * 1024;
            byte[] topic = {0, 5, 't', '/', 'b', 'i', 'g'};
            pub.getOutputStream().write(header(0x30, topic.length + size));
            pub.getOutputStream().write(topic);
            pub.getOutputStream().write(new byte[size]);
            pub.getOutputStream().flush();
            assertEquals(0x30, subIn.readUnsignedByte() & 0xF0, "a PUBLISH");
            assertEquals(topic.length + size, readRemaining(subIn));
        }
    }

    @Test
    void readsTheClientIdOfAConnectAndNothingElse() throws IOException {
        byte[] packet = connect("pigeon-demo");
        assertArrayEquals(packet, BrokerFront.readPacket(new ByteArrayInputStream(packet)));
        assertEquals("pigeon-demo", BrokerFront.clientId(packet));
        assertEquals("", BrokerFront.clientId(connect("")));
        assertNull(BrokerFront.clientId(SUBSCRIBE));
        assertNull(BrokerFront.clientId(new byte[] {0x10, 3, 0, 4, 'M'}), "truncated");
        assertNull(BrokerFront.readPacket(new ByteArrayInputStream(new byte[0])));
        assertThrows(IOException.class, () -> BrokerFront.readPacket(new ByteArrayInputStream(new byte[] {0x10, 12, 0})));
        assertThrows(IOException.class, () -> BrokerFront.readPacket(
            new ByteArrayInputStream(new byte[] {0x10, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1})));
    }

    @Test
    void aPortInUseIsAClearError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class, () -> new EmbeddedBroker(taken.getLocalPort()));
            assertTrue(e.getMessage().contains("is in use"), e.getMessage());
        }
    }
}
