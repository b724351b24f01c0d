package io.pigeon.mqtt;

import static io.pigeon.mqtt.Bytes.ascii;
import static io.pigeon.mqtt.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Byte-exact vectors from the MQTT 3.1.1 specification, for every packet type in both directions. */
class MqttCodecTest {
    private final MqttEncoder enc = new MqttEncoder(16);
    private final MqttDecoder dec = new MqttDecoder(MqttEncoder.MAX_REMAINING_LENGTH + 5);

    private String encoded() {
        return hex(enc.array(), 0, enc.length());
    }

    private Packet decode(String hexBytes) throws MqttProtocolException {
        byte[] b = hex(hexBytes);
        int frame = dec.frameLength(b, 0, b.length);
        assertEquals(b.length, frame, "frame length of " + hexBytes);
        Packet p = new Packet();
        dec.decode(b, 0, frame, p);
        return p;
    }

    private MqttProtocolException malformed(String hexBytes) {
        return assertThrows(MqttProtocolException.class, () -> {
            byte[] b = hex(hexBytes);
            int frame = dec.frameLength(b, 0, b.length);
            if (frame == 0 || frame > b.length) {
                throw new AssertionError("incomplete, not malformed: " + hexBytes);
            }
            dec.decode(b, 0, frame, new Packet());
        });
    }

    // §2.2.3 Table 2.4: remaining length boundaries.
    @ParameterizedTest
    @CsvSource({"0, 00", "127, 7F", "128, 80 01", "16383, FF 7F", "16384, 80 80 01", "2097151, FF FF 7F",
        "2097152, 80 80 80 01", "268435455, FF FF FF 7F"})
    void remainingLengthMatchesTable24(int remaining, String expected) throws MqttProtocolException {
        // A QoS 0 PUBLISH to topic "a" has 3 bytes of variable header; the payload makes up the rest.
        int payload = Math.max(0, remaining - 3);
        if (remaining >= 3) {
            enc.reset().publishHeader(ascii("a"), 1, payload, 0, false, false, 0);
            assertEquals("30 " + expected, hex(enc.array(), 0, 1 + MqttEncoder.remainingLengthSize(remaining)));
        }
        byte[] header = hex("30 " + expected);
        assertEquals(header.length + remaining, new MqttDecoder(Integer.MAX_VALUE).frameLength(header, 0, header.length));
    }

    @Test
    void connectCarriesEveryFieldWithFlagsAsInTheSpecExample() throws MqttProtocolException {
        // §3.1.2.10: flags 0xCE = user name, password, will QoS 1, will flag, clean session; keep-alive 10.
        enc.reset().connect(ascii("pigeon"), true, 10, ascii("w"), ascii("x"), 1, false, ascii("u"), ascii("p"));
        String expected = "10 1E 00 04 4D 51 54 54 04 CE 00 0A 00 06 70 69 67 65 6F 6E 00 01 77 00 01 78 00 01 75 00 01 70";
        assertEquals(expected, encoded());

        Packet p = decode(expected);
        assertEquals(PacketType.CONNECT, p.type);
        assertEquals("MQTT", p.protocolName);
        assertEquals(4, p.protocolLevel);
        assertEquals(0xCE, p.connectFlags);
        assertEquals(10, p.keepAlive);
        assertEquals("pigeon", p.clientId);
        assertEquals("w", p.willTopic);
        assertArrayEquals(ascii("x"), p.willPayload);
        assertEquals("u", p.username);
        assertArrayEquals(ascii("p"), p.password);
    }

    @Test
    void minimalConnectHasOnlyTheCleanSessionFlag() {
        enc.reset().connect(new byte[0], true, 60, null, null, 0, false, null, null);
        assertEquals("10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00", encoded());
    }

    @Test
    void connectWithRetainedQos2Will() {
        enc.reset().connect(ascii("c"), false, 0, ascii("t"), new byte[0], 2, true, null, null);
        assertEquals("10 12 00 04 4D 51 54 54 04 34 00 00 00 01 63 00 01 74 00 00", encoded());
    }

    @Test
    void connackVectors() throws MqttProtocolException {
        enc.reset().connack(true, 0);
        assertEquals("20 02 01 00", encoded());
        Packet p = decode("20 02 01 00");
        assertEquals(PacketType.CONNACK, p.type);
        assertTrue(p.sessionPresent);
        assertEquals(0, p.returnCode);
        for (int code = 1; code <= 5; code++) {
            p = decode("20 02 00 0" + code);
            assertEquals(code, p.returnCode);
            assertFalse(p.sessionPresent);
        }
        malformed("20 02 02 00");           // reserved acknowledge flag bit
        malformed("20 02 00 06");           // undefined return code
        malformed("20 03 00 00 00");        // wrong remaining length
        malformed("21 02 00 00");           // reserved header flags
        malformed("20 02 01 05");           // refused yet session present
    }

    @Test
    void publishVariableHeaderMatchesSpecExample() throws MqttProtocolException {
        // §3.3.2.3: topic "a/b", packet identifier 10.
        enc.reset().publish(ascii("a/b"), 3, ascii("hi"), 0, 2, 1, false, false, 10);
        assertEquals("32 09 00 03 61 2F 62 00 0A 68 69", encoded());
        Packet p = decode("32 09 00 03 61 2F 62 00 0A 68 69");
        assertEquals(PacketType.PUBLISH, p.type);
        assertEquals("a/b", p.topic);
        assertEquals(1, p.qos);
        assertEquals(10, p.packetId);
        assertArrayEquals(ascii("hi"), p.payload());
        assertFalse(p.dup);
        assertFalse(p.retain);
    }

    @Test
    void publishFlags() throws MqttProtocolException {
        enc.reset().publish(ascii("a"), 1, new byte[0], 0, 0, 2, true, true, 1);
        assertEquals("3D 05 00 01 61 00 01", encoded());
        Packet p = decode("3D 05 00 01 61 00 01");
        assertTrue(p.dup);
        assertTrue(p.retain);
        assertEquals(2, p.qos);
        assertEquals(0, p.payloadLength);

        enc.reset().publish(ascii("a"), 1, ascii("x"), 0, 1, 0, false, false, 0);
        assertEquals("30 04 00 01 61 78", encoded());
    }

    @Test
    void utf8ExampleFromSection153() throws MqttProtocolException {
        // §1.5.3.1: "A" followed by U+2A6D4 encodes as 00 05 41 F0 AA 9B 94.
        String topic = "A\uD869\uDED4";
        Topic t = Topic.of(topic);
        enc.reset().publish(t.utf8, t.utf8.length, new byte[0], 0, 0, 0, false, false, 0);
        assertEquals("30 07 00 05 41 F0 AA 9B 94", encoded());
        assertEquals(topic, decode("30 07 00 05 41 F0 AA 9B 94").topic);
    }

    @ParameterizedTest
    @CsvSource({"4, 40 02 00 0A", "5, 50 02 00 0A", "6, 62 02 00 0A", "7, 70 02 00 0A", "11, B0 02 00 0A"})
    void acknowledgementVectors(int type, String expected) throws MqttProtocolException {
        enc.reset().ack(type, 10);
        assertEquals(expected, encoded());
        Packet p = decode(expected);
        assertEquals(type, p.type);
        assertEquals(10, p.packetId);
    }

    @Test
    void subscribeMatchesSpecExample() throws MqttProtocolException {
        // §3.8.3.1: "a/b" at QoS 1 and "c/d" at QoS 2, packet identifier 10.
        enc.reset().subscribe(10, new byte[][] {ascii("a/b"), ascii("c/d")}, new int[] {1, 2}, 2);
        String expected = "82 0E 00 0A 00 03 61 2F 62 01 00 03 63 2F 64 02";
        assertEquals(expected, encoded());
        Packet p = decode(expected);
        assertEquals(PacketType.SUBSCRIBE, p.type);
        assertEquals(2, p.filterCount);
        assertEquals("a/b", p.filters[0]);
        assertEquals("c/d", p.filters[1]);
        assertEquals(1, p.codes[0]);
        assertEquals(2, p.codes[1]);
        malformed("80 08 00 0A 00 03 61 2F 62 01");   // flags must be 0010
        malformed("82 08 00 0A 00 03 61 2F 62 03");   // QoS 3 requested
        malformed("82 02 00 0A");                     // no filter
    }

    @Test
    void subackMatchesSpecExampleIncludingFailure() throws MqttProtocolException {
        // §3.9.3.1: granted QoS 0, 1, 2 and the failure code 0x80.
        enc.reset().suback(10, new int[] {0, 1, 2, 0x80}, 4);
        assertEquals("90 06 00 0A 00 01 02 80", encoded());
        Packet p = decode("90 06 00 0A 00 01 02 80");
        assertEquals(4, p.codeCount);
        assertEquals(0x80, p.codes[3]);
        malformed("90 03 00 0A 03");                  // undefined return code
        malformed("90 02 00 0A");                     // no return code
    }

    @Test
    void unsubscribeMatchesSpecExample() throws MqttProtocolException {
        // §3.10.3.1: "a/b" and "c/d".
        enc.reset().unsubscribe(10, new byte[][] {ascii("a/b"), ascii("c/d")}, 2);
        String expected = "A2 0C 00 0A 00 03 61 2F 62 00 03 63 2F 64";
        assertEquals(expected, encoded());
        Packet p = decode(expected);
        assertEquals(PacketType.UNSUBSCRIBE, p.type);
        assertEquals(2, p.filterCount);
        assertEquals("c/d", p.filters[1]);
    }

    @Test
    void pingAndDisconnect() throws MqttProtocolException {
        enc.reset().pingreq();
        assertEquals("C0 00", encoded());
        enc.reset().pingresp();
        assertEquals("D0 00", encoded());
        enc.reset().disconnect();
        assertEquals("E0 00", encoded());
        assertEquals(PacketType.PINGREQ, decode("C0 00").type);
        assertEquals(PacketType.PINGRESP, decode("D0 00").type);
        assertEquals(PacketType.DISCONNECT, decode("E0 00").type);
        malformed("D0 01 00");
        malformed("D1 00");
    }

    @Test
    void malformedPacketsAreProtocolErrors() {
        assertTrue(assertThrows(MqttProtocolException.class,
            () -> dec.frameLength(hex("30 80 80 80 80 01"), 0, 6)).getMessage().contains("longer than 4 bytes"));
        assertThrows(MqttProtocolException.class, () -> dec.frameLength(hex("00 00"), 0, 2));
        assertThrows(MqttProtocolException.class, () -> dec.frameLength(hex("F0 00"), 0, 2));
        malformed("41 02 00 01");                     // PUBACK reserved flags
        malformed("40 02 00 00");                     // packet id 0
        malformed("36 05 00 01 61 00 01");            // QoS 3
        malformed("38 03 00 01 61");                  // DUP at QoS 0
        malformed("30 04 00 03 61 62");               // topic longer than the packet
        malformed("30 05 00 03 61 C3 28");            // invalid UTF-8
        malformed("30 05 00 03 61 00 62");            // U+0000
        malformed("30 05 00 03 61 2F 23");            // wildcard in a topic name
        malformed("30 02 00 00");                     // empty topic
        malformed("32 03 00 01 61");                  // QoS 1 without packet id
        malformed("62 02 00 01".replace("62", "60")); // PUBREL flags must be 0010
    }

    @Test
    void declaredSizeAboveTheMaximumIsRefusedBeforeAnythingIsRead() {
        MqttDecoder small = new MqttDecoder(1024);
        MqttProtocolException e = assertThrows(MqttProtocolException.class,
            () -> small.frameLength(hex("30 FF FF FF 7F"), 0, 5));
        assertTrue(e.getMessage().contains("larger than the maximum packet size"), e.getMessage());
    }

    @Test
    void incompleteInputAsksForMore() throws MqttProtocolException {
        assertEquals(0, dec.frameLength(hex("30"), 0, 1));
        assertEquals(0, dec.frameLength(hex("30 80"), 0, 2));
        assertEquals(131, dec.frameLength(hex("30 80 01"), 0, 3));
    }

    @Test
    void callerMistakesAreIllegalArguments() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Topic.of("")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Topic.of("a/+/b")).getMessage().contains("wildcard"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Topic.of("a/#")).getMessage().contains("wildcard"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Topic.of("a\u0000b")).getMessage().contains("U+0000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Topic.of("x".repeat(65_536))).getMessage().contains("65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Topic.of("a\uD800")).getMessage().contains("surrogate"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> MqttEncoder.publishRemainingLength(10, MqttEncoder.MAX_REMAINING_LENGTH, 0)).getMessage().contains("larger"));
    }

    @Test
    void decodedPayloadStaysInPlace() throws MqttProtocolException {
        byte[] b = hex("30 06 00 01 61 41 42 43");
        Packet p = new Packet();
        dec.decode(b, 0, b.length, p);
        assertEquals(5, p.payloadOffset);
        assertEquals("ABC", new String(p.buffer, p.payloadOffset, p.payloadLength, StandardCharsets.US_ASCII));
    }
}
