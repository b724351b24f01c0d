package io.pigeon.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.testing.Await;
import io.pigeon.testing.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo as a user meets it, checked by an independent MQTT client. */
class DemoTest {
    static final Set<String> DEVICES = Set.of("climate", "gps", "air", "meter", "room", "light", "cellar", "cabinet",
        "board", "cpu", "dht", "tank", "door", "bell", "water", "heater", "fan");

    @Test
    void publishesEveryDeviceAnswersTheHeaterReportsFaultsAndStopsCleanly() throws Exception {
        int port = Ports.free();
        Demo demo = new Demo(null, port, Demo.resource("/demo-scenario.yaml").replaceAll("(?s)faults:.*", "faults: []\n"));
        Map<String, String> latest = new ConcurrentHashMap<>();
        List<String> alerts = new CopyOnWriteArrayList<>();
        try (MqttClient watcher = new MqttClient(MqttOptions.builder().host("127.0.0.1").port(port).clientId("demo-test")
            .backoff(Duration.ofMillis(100), Duration.ofMillis(500)))) {
            var subscribed = watcher.subscribe("pigeon/demo/#", 0, (t, p, q, r) -> {
                String payload = new String(p, UTF_8);
                latest.put(t, payload);
                if (t.equals("pigeon/demo/alerts")) {
                    alerts.add(payload);
                }
            });
            // Watch from before the start: first readings (a door's state, a first poll) are not retained.
            watcher.connect(Duration.ofSeconds(10));
            subscribed.get(10, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            demo.start();
            Set<String> reading = new TreeSet<>();
            while (reading.size() < DEVICES.size() && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10)) {
                Thread.sleep(100);
                for (String topic : latest.keySet()) {
                    String[] parts = topic.split("/");
                    if (parts.length == 4 && DEVICES.contains(parts[2]) && !parts[3].equals("availability")) {
                        reading.add(parts[2]);
                    }
                }
            }
            assertEquals(DEVICES, reading, "every simulated device published within 10 s: " + new java.util.TreeMap<>(latest));

            // The doorbell, pressed about 3 s after the start, is read on the expander's interrupt: its polls are 30 s apart.
            Await.until(Duration.ofSeconds(10), () -> "ON".equals(latest.get("pigeon/demo/bell/state")),
                () -> "bell: " + latest.get("pigeon/demo/bell/state"));

            // The heater warms the simulated room.
            double before = demo.simulation().world().temperature();
            watcher.publish("pigeon/demo/heater/set", "ON".getBytes(UTF_8), 1, false);
            Await.until(Duration.ofSeconds(10), () -> "ON".equals(latest.get("pigeon/demo/heater/state")),
                () -> "heater state: " + latest.get("pigeon/demo/heater/state"));
            Await.until(Duration.ofSeconds(15), () -> demo.simulation().world().temperature() > before + 0.1,
                () -> "the room warmed: " + before + " -> " + demo.simulation().world().temperature());

            // A fault from the MQTT topic: the GPS is unplugged, goes offline with an alert, and comes back.
            watcher.publish("pigeon/demo/sim/fault", "{\"device\":\"gps\",\"fault\":\"unplug\",\"for\":\"3s\"}".getBytes(UTF_8), 1, false);
            Await.until(Duration.ofSeconds(15), () -> "offline".equals(latest.get("pigeon/demo/gps/availability")), () -> "gps offline");
            Await.until(Duration.ofSeconds(15), () -> alerts.stream().anyMatch(a -> a.contains("\"device\":\"gps\"") && a.contains("offline")), () -> "gps alert: " + alerts);
            Await.until(Duration.ofSeconds(15), () -> "online".equals(latest.get("pigeon/demo/gps/availability")), () -> "gps back online");

            // An I2C device that stops answering: offline after errors_before_offline (3) failed polls, 2 s apart.
            demo.simulation().fault("room", "stop", Duration.ofSeconds(8));
            Await.until(Duration.ofSeconds(15), () -> "offline".equals(latest.get("pigeon/demo/room/availability")), () -> "room offline");
            Await.until(Duration.ofSeconds(15), () -> alerts.stream().anyMatch(a -> a.contains("\"device\":\"room\"") && a.contains("Remote I/O error")), () -> "room alert: " + alerts);
            Await.until(Duration.ofSeconds(15), () -> "online".equals(latest.get("pigeon/demo/room/availability")), () -> "room back online");

            long stop = System.nanoTime();
            demo.close();
            assertTrue(System.nanoTime() - stop < TimeUnit.SECONDS.toNanos(5), "stopped within 5 s");
        }
    }
}
