package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.testing.Await;
import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Closer;
import io.pigeon.testing.Collector;
import io.pigeon.testing.EachBroker;
import io.pigeon.testing.FaultProxy;
import io.pigeon.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** Network faults between the client and a real broker, made by a proxy in the middle. */
class MqttClientFaultTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Closer closer = new Closer();


    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private MqttOptions.Builder viaProxy(FaultProxy proxy, String clientId) {
        return MqttOptions.builder().host("127.0.0.1").port(proxy.port()).clientId(clientId).keepAlive(10)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(300));
    }

    private MqttClient direct(TestBroker broker, String clientId) throws Exception {
        MqttClient c = closer.track(new MqttClient(MqttClientBrokerTest.options(broker, clientId)));
        c.connect(WAIT);
        return c;
    }

    @EachBroker
    void keepAliveDetectsABlackHoleAndTheClientReconnects(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        MqttClient c = closer.track(new MqttClient(viaProxy(proxy, "blackhole").keepAlive(1)));
        c.addConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause) {
                causes.add(cause);
            }
        });
        c.connect(WAIT);
        proxy.blackhole();
        long t0 = System.nanoTime();
        // The listener hears of it last (after the state changed): wait for it, not for isConnected().
        Await.until(Duration.ofSeconds(5), () -> !causes.isEmpty(), () -> "still connected through a black hole");
        long detected = (System.nanoTime() - t0) / 1_000_000;
        // A PINGREQ after at most 1 s + a tick, then at most 1 s + a tick for its answer.
        assertTrue(detected < 3500, "detected after " + detected + " ms with keep-alive 1 s");
        assertInstanceOf(MqttClient.KeepAliveTimeoutException.class, causes.get(0));
        proxy.pass();
        c.awaitConnected(WAIT);
        Collector got = new Collector();
        c.subscribe("bh/t", 1, got).get(10, TimeUnit.SECONDS);
        c.publish("bh/t", "back".getBytes(UTF_8), 1, false);
        assertEquals("back", got.next(WAIT).payload());
    }

    @EachBroker
    void noQos1MessageIsLostAcrossCuts(BrokerKind kind) throws Exception {
        TestBroker broker = closer.track(kind.start());
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Collector got = new Collector();
        // Moquette 0.17 stalls for good when a publisher's connection is cut while it still owes PUBACKs and a
        // subscriber is attached: PostOffice.publish2Subscribers retains an already released buffer
        // ("increment : 0"), and the session event loop that hit it dies with every session it served
        // (seen here; mosquitto does not). Against it, only the acknowledgements count.
        boolean subscriber = kind != BrokerKind.MOQUETTE;
        if (subscriber) {
            MqttClient sub = direct(broker, "cut-sub");
            sub.subscribe("cut/#", 1, got).get(10, TimeUnit.SECONDS);
        }
        MqttClient pub = closer.track(new MqttClient(viaProxy(proxy, "cut-pub")));
        pub.connect(WAIT);
        int total = 2000;
        for (int i = 0; i < total; i++) {
            assertTrue(pub.publish("cut/x", Integer.toString(i).getBytes(UTF_8), 1, false));
            if (i == 500 || i == 1200 || i == 1700) {
                proxy.cut();
            }
            if (i % 100 == 0) {
                Thread.sleep(5);
            }
        }
        assertTrue(pub.flush(Duration.ofSeconds(30)), "everything acknowledged: " + pub.stats());
        assertTrue(pub.stats().connects() >= 2, "the cuts forced reconnects: " + pub.stats());
        assertEquals(total, pub.stats().acknowledged());
        if (!subscriber) {
            return;
        }
        Set<Integer> seen = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (seen.size() < total && System.nanoTime() < deadline) {
            Collector.Message m = got.poll(Duration.ofMillis(500));
            if (m != null) {
                seen.add(Integer.parseInt(m.payload()));
            }
        }
        assertEquals(total, seen.size(), "missing: " + MqttClientBrokerTest.missing(seen, total));
    }

    @EachBroker
    void offlineBufferIsBoundedAndItsPolicyCounted(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Collector got = new Collector();
        MqttClient sub = direct(broker, "buf-sub");
        sub.subscribe("buf/#", 1, got).get(10, TimeUnit.SECONDS);

        proxy.refuse(true); // the broker is away from the start
        MqttClient pub = closer.track(new MqttClient(viaProxy(proxy, "buf-pub").maxBuffered(100, 1 << 20)));
        pub.start();
        for (int i = 0; i < 30; i++) {
            assertTrue(pub.publish("buf/q0", ("z" + i).getBytes(UTF_8), 0, false));
        }
        for (int i = 0; i < 120; i++) {
            boolean accepted = pub.publish("buf/q1", Integer.toString(i).getBytes(UTF_8), 1, false);
            assertEquals(i < 100, accepted, "message " + i);
        }
        assertFalse(pub.publish("buf/q0", "late".getBytes(UTF_8), 0, false), "no room for QoS 0 either");
        MqttStats s = pub.stats();
        assertEquals(100, s.buffered(), s.toString());
        assertEquals(31, s.droppedQos0(), "the 30 QoS 0 made room first, then the late one: " + s);
        assertEquals(20, s.rejected(), s.toString());
        assertEquals(100, s.acceptedQos12(), s.toString());
        assertTrue(s.bufferedBytes() <= 1 << 20);

        proxy.refuse(false);
        pub.awaitConnected(WAIT);
        assertTrue(pub.flush(WAIT));
        List<Collector.Message> messages = got.take(100, WAIT);
        assertEquals(100, messages.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(Integer.toString(i), messages.get(i).payload(), "buffered messages keep their order");
        }
        assertNull(got.poll(Duration.ofMillis(300)));
    }

    @EachBroker
    void dropOldestPolicyKeepsTheNewest(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Collector got = new Collector();
        MqttClient sub = direct(broker, "old-sub");
        sub.subscribe("old/#", 1, got).get(10, TimeUnit.SECONDS);
        proxy.refuse(true);
        MqttClient pub = closer.track(new MqttClient(viaProxy(proxy, "old-pub").maxBuffered(10, 1 << 20)
            .overflow(MqttOptions.Overflow.DROP_OLDEST)));
        pub.start();
        for (int i = 0; i < 25; i++) {
            assertTrue(pub.publish("old/x", Integer.toString(i).getBytes(UTF_8), 1, false));
        }
        assertEquals(15, pub.stats().droppedOldest());
        proxy.refuse(false);
        pub.awaitConnected(WAIT);
        assertTrue(pub.flush(WAIT));
        List<Collector.Message> messages = got.take(10, WAIT);
        assertEquals(10, messages.size());
        assertEquals("15", messages.get(0).payload());
        assertEquals("24", messages.get(9).payload());
    }

    @EachBroker
    void lastWillIsPublishedWhenTheSocketIsCutButNotOnClose(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Collector got = new Collector();
        MqttClient watcher = direct(broker, "will-watch");
        watcher.subscribe("gw/+/availability", 1, got).get(10, TimeUnit.SECONDS);

        MqttClient cut = closer.track(new MqttClient(viaProxy(proxy, "will-cut")
            .will(new Will("gw/cut/availability", "offline".getBytes(UTF_8), 1, false))));
        cut.connect(WAIT);
        MqttClient clean = closer.track(new MqttClient(viaProxy(proxy, "will-clean")
            .will(new Will("gw/clean/availability", "offline".getBytes(UTF_8), 1, false))));
        clean.connect(WAIT);
        clean.close(); // DISCONNECT: the broker discards the will
        // The proxy forwards the DISCONNECT before it sees the close behind it: then that connection is gone.
        Await.until(WAIT, () -> proxy.connections() == 1, () -> proxy.connections() + " connections");
        proxy.refuse(true);
        proxy.cut();   // the other connection drops without DISCONNECT
        Collector.Message m = got.next(WAIT);
        assertEquals("gw/cut/availability", m.topic());
        assertEquals("offline", m.payload());
        assertNull(got.poll(Duration.ofMillis(500)), "no will after a clean close");
    }
}
