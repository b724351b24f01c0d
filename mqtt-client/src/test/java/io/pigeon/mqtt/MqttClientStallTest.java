package io.pigeon.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Closer;
import io.pigeon.testing.EachBroker;
import io.pigeon.testing.FaultProxy;
import io.pigeon.testing.TestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A broker or link that stops reading (a frozen broker, a closed TCP window, a radio dropout) while the
 * application publishes: no call may wait for it, the connection is declared lost within 1.5 keep-alives,
 * and close returns within 5 s. Stalled by a proxy that stops reading, and by mosquitto paused with SIGSTOP.
 */
class MqttClientStallTest {
    private static final int KEEP_ALIVE = 2;
    private final Closer closer = new Closer();

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    static List<Arguments> stalls() {
        List<Arguments> list = new ArrayList<>();
        for (BrokerKind kind : BrokerKind.all()) {
            list.add(Arguments.of("proxy that stops reading", kind));
        }
        if (BrokerKind.mosquittoEnabled()) {
            list.add(Arguments.of("SIGSTOP", BrokerKind.MOSQUITTO));
        }
        return list;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("stalls")
    void aStalledLinkNeverHoldsUpACallerAndIsDeclaredLost(String how, BrokerKind kind) throws Exception {
        TestBroker broker = closer.track(kind.start());
        boolean sigstop = how.equals("SIGSTOP");
        FaultProxy proxy = sigstop ? null : closer.track(new FaultProxy(broker.host(), broker.port()));
        AtomicLong lostAt = new AtomicLong();
        AtomicReference<Throwable> cause = new AtomicReference<>();
        MqttClient c = new MqttClient(MqttOptions.builder().host(broker.host())
            .port(sigstop ? broker.port() : proxy.port()).clientId("stall-" + System.nanoTime())
            .keepAlive(KEEP_ALIVE).connectTimeout(Duration.ofSeconds(2))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(300)));
        c.addConnectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable t) {
                if (lostAt.compareAndSet(0, System.nanoTime())) {
                    cause.set(t);
                }
            }
        });
        c.connect(Duration.ofSeconds(10));
        Topic topic = Topic.of("stall/readings");
        byte[] payload = new byte[4096];
        for (int i = 0; i < 10; i++) {
            assertTrue(c.publish(topic, payload, 0, payload.length, 0, false));
        }

        long stalledAt = System.nanoTime();
        if (sigstop) {
            broker.pause();
        } else {
            proxy.stall();
        }
        try {
            long slowest = 0;
            int qos1 = 0;
            while (lostAt.get() == 0 && System.nanoTime() - stalledAt < 15_000_000_000L) {
                long t0 = System.nanoTime();
                c.publish(topic, payload, 0, payload.length, 0, false);
                if (qos1 < 20) {
                    assertTrue(c.publish(topic, payload, 0, payload.length, 1, false), "QoS 1 goes to the outbox");
                    qos1++;
                }
                slowest = Math.max(slowest, System.nanoTime() - t0);
                Thread.sleep(1);
            }
            long lostAfter = (lostAt.get() - stalledAt) / 1_000_000;
            assertTrue(lostAt.get() != 0, "the connection was never declared lost");
            assertInstanceOf(MqttClient.KeepAliveTimeoutException.class, cause.get(), String.valueOf(cause.get()));
            // 1.5 keep-alives from the last packet received, which came at most a keep-alive before the stall
            assertTrue(lostAfter <= 1500 * KEEP_ALIVE + 1000, "declared lost " + lostAfter + " ms after the stall");
            assertTrue(slowest < 500_000_000L, "a publish took " + slowest / 1_000_000 + " ms");
            assertTrue(c.stats().droppedStalled() > 0, "QoS 0 dropped while stalled: " + c.stats());
            assertEquals(20, c.pending() + c.stats().acknowledged(), "QoS 1 kept in the outbox, none lost");

            // Reconnecting into the stall (TCP accepted, no CONNACK), close still returns in time.
            Thread.sleep(500);
            long t0 = System.nanoTime();
            c.close();
            long closing = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(closing < 5000, "close took " + closing + " ms");
        } finally {
            if (sigstop) {
                broker.resume();
            } else {
                proxy.pass();
            }
        }
    }


    @EachBroker
    void closeReturnsWithinFiveSecondsWhileConnectedToAStalledBroker(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        MqttClient c = new MqttClient(MqttOptions.builder().host(broker.host()).port(proxy.port())
            .clientId("stall-close-" + System.nanoTime()).keepAlive(30));
        c.connect(Duration.ofSeconds(10));
        proxy.stall();
        byte[] payload = new byte[64 * 1024];
        Topic topic = Topic.of("stall/big");
        for (int i = 0; i < 200; i++) {
            c.publish(topic, payload, 0, payload.length, 0, false); // fills the kernel's buffers, then drops
        }
        assertTrue(c.isConnected(), "a full socket alone is not a lost connection");
        long t0 = System.nanoTime();
        c.close();
        long closing = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(closing < 5000, "close took " + closing + " ms");
        assertEquals(0, c.stats().protocolErrors());
    }
}
