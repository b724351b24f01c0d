package io.pigeon.mqtt;

import static io.pigeon.mqtt.Bytes.hex;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.testing.Await;
import io.pigeon.testing.Collector;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour real brokers rarely show on demand: refusal codes, duplicates, malformed packets, silence. */
class MqttClientScriptedTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private ScriptedBroker broker;

    @BeforeEach
    void start() throws Exception {
        broker = new ScriptedBroker();
    }

    @AfterEach
    void stop() throws Exception {
        broker.close();
    }

    private MqttClient client(MqttOptions.Builder options) {
        return broker.client(options);
    }

    @Test
    void everyRefusalCodeIsItsOwnClearError() throws Exception {
        Set<String> messages = new HashSet<>();
        for (int code = 1; code <= 5; code++) {
            MqttClient c = client(broker.options("refused-" + code));
            c.start();
            try (ScriptedBroker.Conn conn = broker.accept()) {
                conn.connack(false, code);
                MqttConnectException e = assertThrows(MqttConnectException.class, () -> c.awaitConnected(WAIT));
                assertEquals(code, e.returnCode());
                messages.add(e.getMessage());
            }
            c.close();
        }
        assertEquals(5, messages.size());
        assertTrue(messages.contains("connection refused (4): bad user name or password"));
        assertTrue(messages.contains("connection refused (5): not authorised"));
        assertTrue(messages.stream().anyMatch(m -> m.contains("protocol version")));
        assertTrue(messages.stream().anyMatch(m -> m.contains("identifier")));
        assertTrue(messages.stream().anyMatch(m -> m.contains("unavailable")));
    }

    @Test
    void connectCarriesOptionsAndSessionPresentIsExposed() throws Exception {
        MqttClient c = client(broker.options("gw-1").cleanSession(false).keepAlive(42)
            .credentials("user", "pw".getBytes(UTF_8))
            .will(new Will("gw/availability", "offline".getBytes(UTF_8), 1, true)));
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            Packet p = conn.connect;
            assertEquals("gw-1", p.clientId);
            assertFalse(p.cleanSession());
            assertEquals(42, p.keepAlive);
            assertEquals("user", p.username);
            assertArrayEquals("pw".getBytes(UTF_8), p.password);
            assertEquals("gw/availability", p.willTopic);
            assertArrayEquals("offline".getBytes(UTF_8), p.willPayload);
            assertEquals(0x20 | 0x08 | 0x04, p.connectFlags & 0x3C, "will retain, will QoS 1, will flag");
            conn.connack(true, 0);
            c.awaitConnected(WAIT);
            assertTrue(c.sessionPresent());
        }
        assertFalse(c.options().toString().contains("pw"), "options never show the password");
    }

    @Test
    void unacknowledgedMessagesAreResentWithDupInOrder() throws Exception {
        MqttClient c = client(broker.options("resend").cleanSession(false));
        c.start();
        int[] ids = new int[4];
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            c.publish("t/1", "one".getBytes(UTF_8), 1, false);
            c.publish("t/2", "two".getBytes(UTF_8), 2, false);
            c.publish("t/3", "three".getBytes(UTF_8), 1, false);
            c.publish("t/4", "four".getBytes(UTF_8), 2, false);
            for (int i = 0; i < 4; i++) {
                Packet p = conn.readSkippingPings();
                assertEquals(PacketType.PUBLISH, p.type);
                assertFalse(p.dup);
                ids[i] = p.packetId;
            }
            conn.ack(PacketType.PUBREC, ids[3]); // the fourth reaches the PUBREL stage
            Packet rel = conn.readSkippingPings();
            assertEquals(PacketType.PUBREL, rel.type);
            assertEquals(ids[3], rel.packetId);
        } // connection cut with nothing else acknowledged
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(true, 0);
            String[] payloads = {"one", "two", "three"};
            for (int i = 0; i < 3; i++) {
                Packet p = conn.readSkippingPings();
                assertEquals(PacketType.PUBLISH, p.type, "resend #" + i);
                assertTrue(p.dup, "resent with DUP");
                assertEquals(ids[i], p.packetId, "same packet id");
                assertEquals("t/" + (i + 1), p.topic);
                assertEquals(payloads[i], new String(p.payload(), UTF_8));
            }
            Packet rel = conn.readSkippingPings();
            assertEquals(PacketType.PUBREL, rel.type, "a released QoS 2 message resumes with PUBREL");
            assertEquals(ids[3], rel.packetId);
            conn.ack(PacketType.PUBACK, ids[0]);
            conn.ack(PacketType.PUBREC, ids[1]);
            assertEquals(PacketType.PUBREL, conn.readSkippingPings().type);
            conn.ack(PacketType.PUBCOMP, ids[1]);
            conn.ack(PacketType.PUBACK, ids[2]);
            conn.ack(PacketType.PUBCOMP, ids[3]);
            assertTrue(c.flush(WAIT));
            assertEquals(4, c.stats().acknowledged());
        }
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the scripted broker answers the SUBSCRIBE; the script checks it
    void inboundQos2IsDeliveredOnce() throws Exception {
        Collector got = new Collector();
        MqttClient c = client(broker.options("qos2-in"));
        c.subscribe("in/#", 2, got);
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            Packet sub = conn.readSkippingPings();
            assertEquals(PacketType.SUBSCRIBE, sub.type);
            conn.enc.reset().suback(sub.packetId, new int[] {2}, 1);
            conn.send();
            for (boolean dup : new boolean[] {false, true, true}) {
                conn.enc.reset().publish("in/x".getBytes(UTF_8), 4, "once".getBytes(UTF_8), 0, 4, 2, false, dup, 7);
                conn.send();
                Packet rec = conn.readSkippingPings();
                assertEquals(PacketType.PUBREC, rec.type);
                assertEquals(7, rec.packetId);
            }
            conn.ack(PacketType.PUBREL, 7);
            Packet comp = conn.readSkippingPings();
            assertEquals(PacketType.PUBCOMP, comp.type);
            assertEquals("once", got.next(WAIT).payload());
            assertNull(got.poll(Duration.ofMillis(200)), "duplicates are not delivered");
            // After PUBCOMP the id is free: a new message with it is a new message.
            conn.enc.reset().publish("in/y".getBytes(UTF_8), 4, "again".getBytes(UTF_8), 0, 5, 2, false, false, 7);
            conn.send();
            assertEquals(PacketType.PUBREC, conn.readSkippingPings().type);
            assertEquals("again", got.next(WAIT).payload());
            // And QoS 1 is acknowledged after delivery.
            conn.enc.reset().publish("in/z".getBytes(UTF_8), 4, "q1".getBytes(UTF_8), 0, 2, 1, false, false, 9);
            conn.send();
            Packet ack = conn.readSkippingPings();
            assertEquals(PacketType.PUBACK, ack.type);
            assertEquals(9, ack.packetId);
            assertEquals("q1", got.next(WAIT).payload());
        }
    }

    @Test
    void refusedSubscriptionFailsTheFutureAndIsNotRenewed() throws Exception {
        MqttClient c = client(broker.options("suback"));
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            CompletableFuture<Integer> denied = c.subscribe("secret/#", 1, (t, p, q, r) -> { });
            CompletableFuture<Integer> granted = c.subscribe("open/#", 1, (t, p, q, r) -> { });
            Packet s1 = conn.readSkippingPings();
            Packet s2 = conn.readSkippingPings();
            assertEquals("secret/#", s1.filters[0]);
            conn.enc.reset().suback(s1.packetId, new int[] {0x80}, 1);
            conn.send();
            conn.enc.reset().suback(s2.packetId, new int[] {1}, 1);
            conn.send();
            ExecutionException e = assertThrows(ExecutionException.class, () -> denied.get(10, TimeUnit.SECONDS));
            assertInstanceOf(SubscribeException.class, e.getCause());
            assertEquals("secret/#", ((SubscribeException) e.getCause()).filter());
            assertEquals(1, granted.get(10, TimeUnit.SECONDS));
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0); // no session: the client subscribes again, but only to what was granted
            Packet s = conn.readSkippingPings();
            assertEquals(PacketType.SUBSCRIBE, s.type);
            assertEquals(1, s.filterCount);
            assertEquals("open/#", s.filters[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "30 80 80 80 80 01",            // remaining length over 4 bytes
        "41 02 00 01",                  // reserved flag bits
        "F0 00",                        // reserved packet type
        "10 00",                        // a CONNECT from a broker
        "90 FF FF FF 7F",               // a 256 MB SUBACK: above the maximum, refused before reading it
        "30 06 00 03 61 C3 28 78",      // invalid UTF-8 in a topic
        "40 02 12 34",                  // PUBACK for an unknown packet id
        "20 02 00 00",                  // a second CONNACK
        "32 03 00 01 61",               // QoS 1 PUBLISH cut short
    })
    void malformedPacketClosesTheConnectionAndTheClientReconnects(String bad) throws Exception {
        MqttClient c = client(broker.options("strict").maxPacketSize(1 << 20));
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            conn.sendRaw(hex(bad));
            assertTrue(conn.closedWithin(5000), "client closed the connection");
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
        }
        assertEquals(1, c.stats().protocolErrors());
    }

    @Test
    void truncatedPacketAtEndOfStreamIsAProtocolError() throws Exception {
        MqttClient c = client(broker.options("truncated"));
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            conn.sendRaw(hex("30 0A 00 03 61 2F 62"));
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
        }
        assertEquals(1, c.stats().protocolErrors());
    }

    @Test
    void idleClientPingsWithinTheKeepAliveAndASilentBrokerIsDroppedAfterOneAndAHalf() throws Exception {
        List<Throwable> causes = new java.util.concurrent.CopyOnWriteArrayList<>();
        MqttClient c = client(broker.options("ping").keepAlive(1));
        c.addConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause) {
                causes.add(cause);
            }
        });
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            long t0 = System.nanoTime();
            assertEquals(PacketType.PINGREQ, conn.read().type);
            long firstPing = (System.nanoTime() - t0) / 1_000_000;
            // MQTT-3.1.2-23: no more than the keep-alive between two packets sent, so a little before it
            assertTrue(firstPing >= 600 && firstPing < 1000, "PINGREQ before the keep-alive ends: " + firstPing + " ms");
            conn.enc.reset().pingresp();
            conn.send();
            long answered = System.nanoTime();
            assertEquals(PacketType.PINGREQ, conn.read().type);
            long secondPing = (System.nanoTime() - answered) / 1_000_000;
            assertTrue(secondPing < 1000, "next PINGREQ within the keep-alive: " + secondPing + " ms");
            // no PINGRESP this time: nothing has arrived since the last one, and 1.5 keep-alives after it the
            // connection is dead
            assertTrue(conn.closedWithin(4000));
            long gaveUp = (System.nanoTime() - answered) / 1_000_000;
            assertTrue(gaveUp >= 1400 && gaveUp < 2000, "dropped " + gaveUp + " ms after the last packet received");
        }
        Await.until(WAIT, () -> !causes.isEmpty(), () -> "listener told");
        assertInstanceOf(MqttClient.KeepAliveTimeoutException.class, causes.get(0));
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
        }
    }

    @Test
    void callerMistakesAreRejectedAtTheCall() {
        MqttClient c = client(broker.options("args"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.publish("", new byte[0], 0, false))
            .getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.publish("a/+", new byte[0], 0, false))
            .getMessage().contains("wildcard"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.publish("a/b", new byte[0], 3, false))
            .getMessage().contains("QoS"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.publish("a", new byte[3 * 1024 * 1024], 1, false))
            .getMessage().contains("larger than"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.subscribe("a/#/b", 0, (t, p, q, r) -> { }))
            .getMessage().contains("'#'"));
        assertThrows(IllegalArgumentException.class,
            () -> new MqttClient(MqttOptions.builder().clientId("").cleanSession(false)));
    }
}
