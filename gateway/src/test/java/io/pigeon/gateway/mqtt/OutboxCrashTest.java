package io.pigeon.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.gateway.testing.BrokerKind;
import io.pigeon.gateway.testing.Collector;
import io.pigeon.gateway.testing.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kill -9 of a publishing JVM mid-stream, then a restart on the same outbox: every message that publish
 * accepted reaches a subscriber (duplicates allowed: at least once).
 */
class OutboxCrashTest {
    @TempDir
    Path dir;

    static List<BrokerKind> brokers() {
        return BrokerKind.all();
    }

    @ParameterizedTest
    @MethodSource("brokers")
    void everyAcceptedMessageIsDeliveredAfterKillMinus9(BrokerKind kind) throws Exception {
        try (TestBroker broker = kind.start()) {
            Collector got = new Collector();
            MqttClient sub = new MqttClient(MqttClientBrokerTest.options(broker, "crash-sub"));
            sub.connect(Duration.ofSeconds(10));
            sub.subscribe("crash/#", 1, got).get(10, TimeUnit.SECONDS);

            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OutboxCrashChild.class.getName(), broker.host(), String.valueOf(broker.port()), dir.toString(), "100000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int[] accepted = {-1};
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("A ")) {
                            accepted[0] = Integer.parseInt(line.substring(2));
                        }
                    }
                } catch (java.io.IOException e) {
                    // the stream closes when the child is killed
                }
            });
            reader.start();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (accepted[0] < 3000 && child.isAlive() && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no DISCONNECT
            child.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
            assertTrue(accepted[0] >= 3000, "the child accepted " + accepted[0]);

            try (FileOutbox outbox = new FileOutbox(dir, 16 << 20, 100_000, FileOutbox.Fsync.interval(1000));
                 MqttClient restarted = new MqttClient(MqttClientBrokerTest.options(broker, "crash-child"), outbox)) {
                restarted.connect(Duration.ofSeconds(10));
                assertTrue(restarted.flush(Duration.ofSeconds(30)), "resent and acknowledged: " + restarted.stats());
            }
            Set<Integer> seen = new TreeSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() <= accepted[0] && System.nanoTime() < deadline) {
                Collector.Message m = got.poll(Duration.ofMillis(500));
                if (m != null) {
                    seen.add(Integer.parseInt(m.payload()));
                }
            }
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i <= accepted[0] && missing.size() < 20; i++) {
                if (!seen.contains(i)) {
                    missing.add(i);
                }
            }
            assertEquals(List.of(), missing, "accepted " + (accepted[0] + 1) + ", received " + seen.size());
            sub.close();
        }
    }
}
