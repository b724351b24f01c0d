package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.testing.Await;
import io.pigeon.testing.Collector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session rules of MQTT 3.1.1 across connections, poison and oversized messages, strings at the API,
 * and the reconnect timing, against a broker played packet by packet.
 */
class MqttClientSessionTest {
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

    // ---------------------------------------------------------------- poison and oversized messages

    @Test
    void aMessageTheBrokerDropsTheConnectionOnIsQuarantinedAndTheRestFlows() throws Exception {
        MqttClient c = client(broker.options("poison"));
        c.publish("big/poison", "refused".getBytes(UTF_8), 1, false);
        c.publish("ok/next", "fine".getBytes(UTF_8), 1, false);
        c.start();
        for (int round = 0; round < 3; round++) {
            try (ScriptedBroker.Conn conn = broker.accept()) {
                conn.connack(false, 0);
                Packet p = conn.readSkippingPings();
                assertEquals("big/poison", p.topic, "round " + round);
                // a broker over its packet limit just closes the connection
            }
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            Packet p = conn.readSkippingPings();
            assertEquals("ok/next", p.topic, "the message behind the poison flows");
            conn.ack(PacketType.PUBACK, p.packetId);
            Await.until(WAIT, () -> c.pending() == 0, () -> "outbox empty: " + c.stats());
        }
        assertEquals(1, c.stats().quarantined());
        assertEquals(0, c.stats().takeovers(), "a poison message is not a client-id takeover");
    }

    @Test
    void maxOutgoingPacketSizeRefusesALargerMessageAtTheCall() {
        MqttClient c = client(broker.options("limit").maxOutgoingPacketSize(20_000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> c.publish("a/b", new byte[20_000], 1, false));
        assertTrue(e.getMessage().contains("20000"), e.getMessage());
        assertTrue(c.publish("a/b", new byte[19_000], 1, false));
        assertEquals(1, c.pending());
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the scripted broker answers the SUBSCRIBE; the script checks it
    void anOversizedIncomingPublishIsAcknowledgedSkippedAndReportedAndTheConnectionStays() throws Exception {
        List<String> oversized = new CopyOnWriteArrayList<>();
        Collector got = new Collector();
        MqttClient c = client(broker.options("big-in").maxPacketSize(64 * 1024));
        c.subscribe("cmd/#", 2, new MessageHandler() {
            @Override
            public void onMessage(String topic, byte[] payload, int qos, boolean retained) {
                got.onMessage(topic, payload, qos, retained);
            }

            @Override
            public void oversized(String topic, int length, int qos, boolean retained) {
                oversized.add(topic + " " + length + " " + qos + " " + retained);
            }
        });
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            Packet sub = conn.read();
            conn.enc.reset().suback(sub.packetId, new int[] {2}, 1);
            conn.send();
            byte[] big = new byte[2 * 1024 * 1024];
            conn.enc.reset().publish("cmd/relay/set".getBytes(UTF_8), 13, big, 0, big.length, 1, true, false, 7);
            conn.send();
            Packet ack = conn.readSkippingPings();
            assertEquals(PacketType.PUBACK, ack.type);
            assertEquals(7, ack.packetId);
            conn.enc.reset().publish("cmd/heater/set".getBytes(UTF_8), 14, big, 0, 100_000, 2, false, false, 8);
            conn.send();
            Packet rec = conn.readSkippingPings();
            assertEquals(PacketType.PUBREC, rec.type);
            conn.ack(PacketType.PUBREL, 8);
            assertEquals(PacketType.PUBCOMP, conn.readSkippingPings().type);
            conn.enc.reset().publish("cmd/x".getBytes(UTF_8), 5, "small".getBytes(UTF_8), 0, 5, 0, false, false, 0);
            conn.send();
            assertEquals("small", got.poll(WAIT).payload(), "the connection is still up and reading");
        }
        int big = 2 * 1024 * 1024 + 2 + 13 + 2 + 5;
        assertEquals(List.of("cmd/relay/set " + big + " 1 true", "cmd/heater/set " + (100_000 + 2 + 14 + 2 + 4) + " 2 false"),
            oversized);
        assertEquals(2, c.stats().oversized());
        assertEquals(0, c.stats().protocolErrors());
        assertEquals(1, c.stats().connects());
    }

    // ---------------------------------------------------------------- session rules

    @Test
    void withoutASessionUnfinishedMessagesStartAgainAsNewOnes() throws Exception {
        MqttClient c = client(broker.options("clean"));
        c.start();
        int firstIds;
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            c.publish("q/one", "1".getBytes(UTF_8), 1, false);
            c.publish("q/two", "2".getBytes(UTF_8), 2, false);
            Packet one = conn.readSkippingPings();
            Packet two = conn.readSkippingPings();
            firstIds = one.packetId;
            conn.ack(PacketType.PUBREC, two.packetId);
            assertEquals(PacketType.PUBREL, conn.readSkippingPings().type);
            // lost before PUBACK and PUBCOMP
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0); // the broker kept nothing
            Packet one = conn.readSkippingPings();
            Packet two = conn.readSkippingPings();
            assertEquals(PacketType.PUBLISH, one.type);
            assertEquals("q/one", one.topic);
            assertFalse(one.dup, "a new message for a new session");
            assertEquals(PacketType.PUBLISH, two.type, "the QoS 2 message again from the start, not a PUBREL");
            assertEquals("q/two", two.topic);
            assertFalse(two.dup);
            conn.ack(PacketType.PUBACK, one.packetId);
            conn.ack(PacketType.PUBREC, two.packetId);
            assertEquals(PacketType.PUBREL, conn.readSkippingPings().type);
            conn.ack(PacketType.PUBCOMP, two.packetId);
            Await.until(WAIT, () -> c.pending() == 0, () -> "done: " + c.stats());
        }
        assertTrue(firstIds > 0);
    }

    @Test
    void aSessionClaimedForACleanSessionConnectIsAProtocolError() throws Exception {
        MqttClient c = client(broker.options("liar"));
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(true, 0);
            assertTrue(conn.closedWithin(5000), "not trusted: the connection is closed");
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
        }
        assertEquals(1, c.stats().protocolErrors());
        assertFalse(c.sessionPresent());
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the scripted broker answers the SUBSCRIBE; the script checks it
    void anUnsubscribeLeftUnansweredIsSentAgainOnTheNextConnection() throws Exception {
        MqttClient c = client(broker.options("unsub").cleanSession(false));
        c.subscribe("a/#", 1, (t, p, q, r) -> { });
        c.start();
        CompletableFuture<Void> done;
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            Packet sub = conn.readSkippingPings();
            conn.enc.reset().suback(sub.packetId, new int[] {1}, 1);
            conn.send();
            done = c.unsubscribe("a/#");
            assertEquals(PacketType.UNSUBSCRIBE, conn.readSkippingPings().type);
            // lost before UNSUBACK
        }
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(true, 0);
            Packet again = conn.readSkippingPings();
            assertEquals(PacketType.UNSUBSCRIBE, again.type, "sent again");
            assertEquals("a/#", again.filters[0]);
            conn.ack(PacketType.UNSUBACK, again.packetId);
            done.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyFutureCompletesOrFailsAtClose() throws Exception {
        MqttClient c = client(broker.options("futures").cleanSession(false));
        c.start();
        CompletableFuture<Integer> sub;
        CompletableFuture<Void> unsub;
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            sub = c.subscribe("never/acked", 1, (t, p, q, r) -> { });
            unsub = c.unsubscribe("other/#");
            assertEquals(PacketType.SUBSCRIBE, conn.readSkippingPings().type);
            c.close();
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> sub.get(1, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertThrows(ExecutionException.class, () -> unsub.get(1, TimeUnit.SECONDS));
    }

    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the scripted broker answers the SUBSCRIBE; the script checks it
    void nothingIsWrittenAfterDisconnect() throws Exception {
        MqttClient c = client(broker.options("last"));
        c.subscribe("in/#", 1, (topic, payload, qos, retained) -> {
            // The application closes the client while a QoS 1 message is being handled: its PUBACK would
            // follow the DISCONNECT.
            Thread closer = new Thread(c::close);
            closer.start();
            try {
                closer.join(500); // long enough for close to have written DISCONNECT
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        c.start();
        try (ScriptedBroker.Conn conn = broker.accept()) {
            conn.connack(false, 0);
            Packet sub = conn.readSkippingPings();
            conn.enc.reset().suback(sub.packetId, new int[] {1}, 1);
            conn.send();
            conn.enc.reset().publish("in/x".getBytes(UTF_8), 4, new byte[1], 0, 1, 1, false, false, 9);
            conn.send();
            assertEquals(PacketType.DISCONNECT, conn.readSkippingPings().type);
            // then nothing but the end of the stream (MQTT-3.14.4-2): not the PUBACK of the message being handled
            assertThrows(java.io.EOFException.class, conn::read);
        }
    }

    // ---------------------------------------------------------------- reconnect timing

    @Test
    void aBrokerThatRefusesForGoodIsRetriedAtTheLongestBackoffFromTheSecondRefusal() throws Exception {
        MqttClient c = client(broker.options("refused").backoff(Duration.ofMillis(20), Duration.ofSeconds(3)));
        c.start();
        List<Long> attempts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (ScriptedBroker.Conn conn = broker.accept()) {
                attempts.add(System.nanoTime());
                conn.connack(false, 5); // not authorized
                conn.closedWithin(2000);
            }
        }
        long gap = (attempts.get(2) - attempts.get(1)) / 1_000_000;
        assertTrue(gap >= 1400, "third attempt after the longest backoff (3 s, jittered to at least half): " + gap + " ms");
    }

    @Test
    void aFlappingBrokerIsMetSoonAfterEachReturn() throws Exception {
        // Up, then down for 1 s (connections closed before CONNACK), again and again: the backoff starts again
        // from the shortest after each connection that was accepted, so the client is back within the broker's
        // next up-window (here 2.5 s) every time, not later and later.
        MqttClient c = client(broker.options("flap").backoff(Duration.ofMillis(50), Duration.ofSeconds(20)));
        c.start();
        for (int round = 0; round < 4; round++) {
            ScriptedBroker.Conn conn = broker.accept();
            long back = System.nanoTime();
            conn.connack(false, 0);
            c.awaitConnected(WAIT);
            Thread.sleep(300);
            conn.close();
            long upAgain = System.nanoTime() + 1_000_000_000L;
            ScriptedBroker.Conn next = broker.accept();
            while (System.nanoTime() < upAgain) {
                next.close(); // down: the attempt fails before CONNACK
                next = broker.accept();
            }
            try (ScriptedBroker.Conn up = next) {
                long late = (System.nanoTime() - upAgain) / 1_000_000;
                assertTrue(late < 2500, "round " + round + ": back " + late + " ms after the broker");
                up.connack(false, 0);
                c.awaitConnected(WAIT);
            }
            assertTrue(back > 0);
        }
    }

    // ---------------------------------------------------------------- strings at the API

    @Test
    void everyStringIsCheckedAtTheApiBoundary() {
        String longTopic = "t/" + "x".repeat(70_000);
        assertThrows(IllegalArgumentException.class, () -> new Will(longTopic, new byte[0], 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Will("a\u0000b", new byte[0], 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Will("a/#", new byte[0], 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Will("a/\ud800", new byte[0], 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Will("a", new byte[70_000], 0, false));
        assertThrows(IllegalArgumentException.class, () -> MqttOptions.builder().clientId("x".repeat(70_000)));
        assertThrows(IllegalArgumentException.class, () -> MqttOptions.builder().clientId("a\u0000"));
        assertThrows(IllegalArgumentException.class, () -> MqttOptions.builder().credentials("u\u0000", null));
        assertThrows(IllegalArgumentException.class, () -> Topic.of("a\u0000b"));
        assertThrows(IllegalArgumentException.class, () -> Topic.of(longTopic));
        MqttClient c = client(broker.options("strings"));
        assertThrows(IllegalArgumentException.class, () -> c.subscribe("a/\u0000", 0, (t, p, q, r) -> { }));
        assertThrows(IllegalArgumentException.class, () -> c.unsubscribe(longTopic));
        // The encoder itself never writes a wrong length prefix.
        MqttEncoder e = new MqttEncoder(16);
        byte[] huge = new byte[70_002];
        assertThrows(IllegalArgumentException.class,
            () -> e.connect(new byte[] {'c'}, true, 30, huge, new byte[0], 0, false, null, null));
    }
}
