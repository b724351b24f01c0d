package io.pigeon.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.TestBroker;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The publishing hot path allocates nothing at QoS 0 and next to nothing at QoS 1, measured on the
 * publishing thread with ThreadMXBean around 100,000 publishes after warm-up. A bound, not a timing.
 */
class AllocationTest {
    private static final int N = 100_000;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = BrokerKind.MOQUETTE.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void qos0PublishOfAKnownTopicAllocatesNothing() throws Exception {
        try (MqttClient c = new MqttClient(MqttClientBrokerTest.options(broker, "alloc-0"))) {
            c.connect(Duration.ofSeconds(10));
            Topic topic = Topic.of("pigeon/bench/temperature");
            byte[] payload = new byte[32];
            for (int i = 0; i < N; i++) {
                publishQos0(c, topic, payload);
            }
            long before = allocated();
            for (int i = 0; i < N; i++) {
                payload[0] = (byte) i;
                publishQos0(c, topic, payload);
            }
            long bytes = allocated() - before;
            assertTrue(c.isConnected());
            assertEquals(2L * N, c.stats().sentQos0());
            System.out.println("QoS 0, Topic: " + bytes + " bytes allocated on the publishing thread for " + N + " publishes");
            assertTrue(bytes < 1024, bytes + " bytes allocated for " + N + " QoS 0 publishes");
        }
    }

    @Test
    void qos0PublishByTopicStringAllocatesNothingOnceTheTopicIsKnown() throws Exception {
        try (MqttClient c = new MqttClient(MqttClientBrokerTest.options(broker, "alloc-0s"))) {
            c.connect(Duration.ofSeconds(10));
            String topic = "pigeon/bench/humidity";
            byte[] payload = new byte[32];
            for (int i = 0; i < N; i++) {
                while (!c.publish(topic, payload, 0, false)) {
                    Thread.onSpinWait();
                }
            }
            long before = allocated();
            for (int i = 0; i < N; i++) {
                while (!c.publish(topic, payload, 0, false)) {
                    Thread.onSpinWait();
                }
            }
            long bytes = allocated() - before;
            System.out.println("QoS 0, String topic: " + bytes + " bytes allocated for " + N + " publishes");
            assertTrue(bytes < 1024, bytes + " bytes allocated for " + N + " QoS 0 publishes");
        }
    }

    @Test
    void qos1PublishAllocatesAtMostAFewBytesPerMessage() throws Exception {
        try (MqttClient c = new MqttClient(MqttClientBrokerTest.options(broker, "alloc-1").maxInflight(64))) {
            c.connect(Duration.ofSeconds(10));
            Topic topic = Topic.of("pigeon/bench/pressure");
            byte[] payload = new byte[32];
            publishQos1(c, topic, payload);
            long before = allocated();
            publishQos1(c, topic, payload);
            long total = allocated() - before;
            long perMessage = total / N;
            System.out.println("QoS 1: " + total + " bytes allocated on the publishing thread for " + N + " publishes");
            assertEquals(2L * N, c.stats().acknowledged());
            assertTrue(perMessage < 64, perMessage + " bytes allocated per QoS 1 publish");
        }
    }

    /** A QoS 0 publish is refused while the socket takes no more (a busy machine): wait, as a caller would. */
    private static void publishQos0(MqttClient c, Topic topic, byte[] payload) {
        while (!c.publish(topic, payload, 0, payload.length, 0, false)) {
            Thread.onSpinWait();
        }
    }

    private static void publishQos1(MqttClient c, Topic topic, byte[] payload) {
        for (int i = 0; i < N; i++) {
            while (c.pending() >= 256) {
                Thread.onSpinWait();
            }
            if (!c.publish(topic, payload, 0, payload.length, 1, false)) {
                throw new AssertionError("rejected");
            }
        }
        while (c.pending() > 0) {
            Thread.onSpinWait();
        }
    }
}
