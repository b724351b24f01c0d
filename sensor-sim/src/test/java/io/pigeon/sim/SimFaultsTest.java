package io.pigeon.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.testing.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Faults from the command-line form and the timeline: what the gateway contract promises for each. */
class SimFaultsTest {
    @Test
    void faultSpecificationsFromTheCommandLine() {
        assertEquals(new Simulation.TimedFault(Duration.ofSeconds(30), "gps", "unplug", Duration.ofSeconds(10)),
            Simulation.parseFault("gps:unplug:10s@30s"));
        assertEquals(new Simulation.TimedFault(Duration.ZERO, "climate", "stall", null), Simulation.parseFault("climate:stall"));
        assertThrows(IllegalArgumentException.class, () -> Simulation.parseFault("gps"));
        assertThrows(IllegalArgumentException.class, () -> Simulation.parseFault("gps:unplug:soon"));
    }

    @Test
    void stalledSensorGoesOfflineAfterItsTimeoutAndChecksumErrorsAreReported() throws Exception {
        int port = Ports.free();
        String scenario = """
            seed: 7
            devices:
              - {name: climate, type: serial-line}
              - {name: gps, type: nmea}
            """;
        Demo demo = new Demo(null, port, scenario);
        demo.simulation().schedule(Simulation.parseFault("climate:stall:30s@2s"));
        demo.simulation().schedule(Simulation.parseFault("gps:checksum:30s@2s"));
        Map<String, String> latest = new ConcurrentHashMap<>();
        List<String> alerts = new CopyOnWriteArrayList<>();
        try (MqttClient watcher = new MqttClient(MqttOptions.builder().host("127.0.0.1").port(port).clientId("faults-test")
            .backoff(Duration.ofMillis(100), Duration.ofMillis(500)))) {
            var subscribed = watcher.subscribe("pigeon/demo/#", 0, (t, p, q, r) -> {
                latest.put(t, new String(p, UTF_8));
                if (t.endsWith("/alerts")) {
                    alerts.add(new String(p, UTF_8));
                }
            });
            watcher.connect(Duration.ofSeconds(10));
            subscribed.get(10, TimeUnit.SECONDS);
            demo.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
            while (System.nanoTime() < deadline && (alerts.stream().noneMatch(a -> a.contains("no data for 10 s"))
                || alerts.stream().noneMatch(a -> a.contains("checksum errors (3 failures in a row)")))) {
                Thread.sleep(100);
            }
            assertTrue(alerts.stream().anyMatch(a -> a.contains("\"device\":\"climate\"") && a.contains("no data for 10 s")),
                alerts + " / " + new java.util.TreeMap<>(latest));
            assertTrue(alerts.stream().anyMatch(a -> a.contains("\"device\":\"gps\"") && a.contains("checksum errors (3 failures in a row)")),
                alerts.toString());
            assertEquals("offline", latest.get("pigeon/demo/climate/availability"));
            assertEquals("offline", latest.get("pigeon/demo/gps/availability"));
        } finally {
            demo.close();
        }
    }
}
