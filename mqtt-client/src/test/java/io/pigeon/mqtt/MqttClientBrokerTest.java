package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigeon.testing.Await;
import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Closer;
import io.pigeon.testing.Collector;
import io.pigeon.testing.EachBroker;
import io.pigeon.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** The client against real brokers: embedded Moquette, and mosquitto with -Dpigeon.mosquitto=true. */
class MqttClientBrokerTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    private final Closer closer = new Closer();


    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private TestBroker broker(BrokerKind kind) {
        return broker(kind, BrokerKind.BrokerConfig.anonymous());
    }

    private TestBroker broker(BrokerKind kind, BrokerKind.BrokerConfig config) {
        TestBroker b = kind.start(config);
        closer.track(b);
        return b;
    }

    static MqttOptions.Builder options(TestBroker broker, String clientId) {
        return MqttOptions.builder().host(broker.host()).port(broker.port()).clientId(clientId).keepAlive(10)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    private MqttClient client(MqttOptions.Builder options) {
        MqttClient c = new MqttClient(options);
        closer.track(c);
        return c;
    }

    private MqttClient connected(MqttOptions.Builder options) throws Exception {
        MqttClient c = client(options);
        c.connect(WAIT);
        return c;
    }

    @EachBroker
    void publishesAndReceivesAtEachQos(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        Collector got = new Collector();
        MqttClient sub = connected(options(broker, "sub"));
        assertFalse(sub.sessionPresent());
        assertEquals(2, sub.subscribe("q/#", 2, got).get(10, TimeUnit.SECONDS));
        MqttClient pub = connected(options(broker, "pub"));
        for (int qos = 0; qos <= 2; qos++) {
            assertTrue(pub.publish("q/" + qos, ("m" + qos).getBytes(UTF_8), qos, false));
        }
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            Collector.Message m = got.next(WAIT);
            assertEquals("q/" + m.qos(), m.topic(), "message at QoS " + m.qos() + " arrives at that QoS");
            assertEquals("m" + m.qos(), m.payload());
            seen.add(m.topic());
        }
        assertEquals(Set.of("q/0", "q/1", "q/2"), seen);
        assertNull(got.poll(Duration.ofMillis(300)), "each message exactly once");
        assertTrue(pub.flush(WAIT));
        MqttStats s = pub.stats();
        assertEquals(1, s.sentQos0());
        assertEquals(2, s.acceptedQos12());
        assertEquals(2, s.acknowledged());
        assertEquals(0, s.buffered());
    }

    @EachBroker
    void dispatchesByWildcardFilter(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        Collector plus = new Collector();
        Collector hash = new Collector();
        MqttClient c = connected(options(broker, "wild"));
        c.subscribe("home/+/temperature", 1, plus).get(10, TimeUnit.SECONDS);
        c.subscribe("garden/#", 1, hash).get(10, TimeUnit.SECONDS);
        MqttClient pub = connected(options(broker, "wild-pub"));
        pub.publish("home/kitchen/temperature", "21".getBytes(UTF_8), 1, false);
        pub.publish("home/kitchen/humidity", "40".getBytes(UTF_8), 1, false);
        pub.publish("garden", "g".getBytes(UTF_8), 1, false);
        pub.publish("garden/pond/level", "3".getBytes(UTF_8), 1, false);
        assertEquals("home/kitchen/temperature", plus.next(WAIT).topic());
        assertEquals("garden", hash.next(WAIT).topic());
        assertEquals("garden/pond/level", hash.next(WAIT).topic());
        assertNull(plus.poll(Duration.ofMillis(300)));

        c.unsubscribe("garden/#").get(10, TimeUnit.SECONDS);
        pub.publish("garden/x", "no".getBytes(UTF_8), 1, false);
        pub.publish("home/hall/temperature", "19".getBytes(UTF_8), 1, false);
        assertEquals("home/hall/temperature", plus.next(WAIT).topic());
        assertNull(hash.poll(Duration.ofMillis(300)), "unsubscribed");
    }

    @EachBroker
    void retainedMessageReachesLaterSubscriber(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        MqttClient pub = connected(options(broker, "ret-pub"));
        pub.publish("state/relay", "ON".getBytes(UTF_8), 1, true);
        assertTrue(pub.flush(WAIT));
        Collector got = new Collector();
        MqttClient sub = connected(options(broker, "ret-sub"));
        sub.subscribe("state/#", 1, got).get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        Collector.Message m = got.next(WAIT);
        assertEquals("ON", m.payload());
        if (kind == BrokerKind.MOSQUITTO) {
            // Moquette 0.17 leaves RETAIN clear on these, against [MQTT-3.3.1-8]; mosquitto follows the spec.
            assertTrue(m.retained());
        }
    }

    @EachBroker
    void persistentSessionKeepsQueuedMessages(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        MqttOptions.Builder opts = options(broker, "persist-1").cleanSession(false);
        MqttClient first = connected(opts);
        first.subscribe("queued/#", 1, (t, p, q, r) -> { }).get(10, TimeUnit.SECONDS);
        first.close();

        MqttClient pub = connected(options(broker, "persist-pub"));
        for (int i = 0; i < 5; i++) {
            pub.publish("queued/" + i, ("v" + i).getBytes(UTF_8), 1, false);
        }
        assertTrue(pub.flush(WAIT));

        Collector got = new Collector();
        MqttClient second = client(opts);
        var subscribed = second.subscribe("queued/#", 1, got);
        second.connect(WAIT);
        subscribed.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(second.sessionPresent(), "the broker kept the session");
        List<Collector.Message> messages = got.take(5, WAIT);
        assertEquals(5, messages.size(), "queued messages delivered: " + messages);
        Set<String> payloads = new TreeSet<>();
        messages.forEach(m -> payloads.add(m.payload()));
        assertEquals(Set.of("v0", "v1", "v2", "v3", "v4"), payloads);
    }

    @EachBroker
    void keepAlivePingsKeepAnIdleConnectionOpen(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        List<Throwable> losses = new CopyOnWriteArrayList<>();
        MqttClient c = client(options(broker, "idle").keepAlive(1));
        c.addConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause) {
                losses.add(cause);
            }
        });
        c.connect(WAIT);
        // The broker closes a connection silent for 1.5 × keep-alive: only PINGREQs keep this one.
        Thread.sleep(4000);
        assertTrue(c.isConnected());
        assertEquals(List.of(), losses);
        assertEquals(1, c.stats().connects());
        Collector got = new Collector();
        c.subscribe("after/idle", 0, got).get(10, TimeUnit.SECONDS);
        c.publish("after/idle", "still here".getBytes(UTF_8), 0, false);
        assertEquals("still here", got.next(WAIT).payload());
    }

    @EachBroker
    void refusalsBecomeDistinctErrors(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind, BrokerKind.BrokerConfig.anonymous().withUsers(Map.of("gw", "s3cret")));
        MqttClient ok = connected(options(broker, "auth-ok").credentials("gw", "s3cret".getBytes(UTF_8)));
        assertTrue(ok.isConnected());

        MqttClient bad = client(options(broker, "auth-bad").credentials("gw", "wrong".getBytes(UTF_8)));
        MqttConnectException e = assertThrows(MqttConnectException.class, () -> bad.connect(WAIT));
        int expected = kind == BrokerKind.MOSQUITTO ? 5 : 4;
        assertEquals(expected, e.returnCode(), e.getMessage());

        MqttClient anonymous = client(options(broker, "auth-none"));
        e = assertThrows(MqttConnectException.class, () -> anonymous.connect(WAIT));
        assertEquals(kind == BrokerKind.MOSQUITTO ? 5 : 4, e.returnCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith("connection refused (" + e.returnCode() + ")"));
    }

    @EachBroker
    void inFlightWindowIsRespectedAndEverythingArrivesInOrder(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        Collector got = new Collector();
        MqttClient sub = connected(options(broker, "order-sub"));
        sub.subscribe("order", 1, got).get(10, TimeUnit.SECONDS);
        MqttClient pub = connected(options(broker, "order-pub").maxInflight(4));
        for (int i = 0; i < 500; i++) {
            assertTrue(pub.publish("order", Integer.toString(i).getBytes(UTF_8), 1, false));
            assertTrue(pub.stats().inflight() <= 4);
        }
        assertTrue(pub.flush(WAIT));
        List<Collector.Message> messages = got.take(500, WAIT);
        assertEquals(500, messages.size());
        for (int i = 0; i < 500; i++) {
            assertEquals(Integer.toString(i), messages.get(i).payload());
        }
    }

    @EachBroker
    void takeoverLoopIsDetectedAndBackedOff(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind);
        MqttOptions.Builder opts = options(broker, "same-id")
            .backoff(Duration.ofMillis(20), Duration.ofSeconds(3))
            .takeoverDetection(Duration.ofSeconds(5), 3);
        MqttClient a = client(opts);
        MqttClient b = client(opts);
        a.start();
        b.start();
        Await.until(Duration.ofSeconds(20), () -> a.stats().takeovers() + b.stats().takeovers() > 0,
            () -> "takeover not detected: " + a.stats() + " / " + b.stats());
        // Backing off to the maximum stops the flapping: few connections in the next seconds.
        long before = a.stats().connects() + b.stats().connects();
        Thread.sleep(1500);
        long after = a.stats().connects() + b.stats().connects();
        assertTrue(after - before <= 6, "still flapping: " + (after - before) + " connects in 1.5 s");
    }

    @EachBroker
    void brokerRestartLosesNoQos1Message(BrokerKind kind) throws Exception {
        TestBroker broker = broker(kind, BrokerKind.BrokerConfig.anonymous().withPersistence());
        assumeTrue(broker.persistent(), "needs a broker that keeps sessions across a restart (mosquitto)");
        Collector got = new Collector();
        MqttClient sub = client(options(broker, "restart-sub").cleanSession(false));
        var subscribed = sub.subscribe("restart/#", 1, got);
        sub.connect(WAIT);
        subscribed.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        MqttClient pub = connected(options(broker, "restart-pub").cleanSession(false));
        int total = 600;
        for (int i = 0; i < total; i++) {
            assertTrue(pub.publish("restart/x", Integer.toString(i).getBytes(UTF_8), 1, false));
            if (i == 200) {
                broker.stop();
            }
            if (i == 400) {
                broker.start();
            }
            Thread.sleep(2);
        }
        assertTrue(pub.flush(Duration.ofSeconds(30)), "all acknowledged: " + pub.stats());
        Set<Integer> seen = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen.size() < total && System.nanoTime() < deadline) {
            Collector.Message m = got.poll(Duration.ofSeconds(1));
            if (m != null) {
                seen.add(Integer.parseInt(m.payload()));
            }
        }
        assertEquals(total, seen.size(), "missing: " + missing(seen, total));
    }

    static List<Integer> missing(Set<Integer> seen, int total) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < total && missing.size() < 20; i++) {
            if (!seen.contains(i)) {
                missing.add(i);
            }
        }
        return missing;
    }
}
