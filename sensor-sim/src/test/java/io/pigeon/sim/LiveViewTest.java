package io.pigeon.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveViewTest {
    private final AtomicLong now = new AtomicLong();
    private final LiveView view = new LiveView("pigeon/demo", now::get);

    private void at(long seconds, String topic, String payload) {
        now.set(seconds * 1_000_000_000L);
        view.message(topic, payload);
    }

    @Test
    void fitsEightyColumnsWithUnitsAgesAlertsAndRefusedCommands() {
        at(0, "homeassistant/sensor/pigeon-demo/room_temperature/config",
            "{\"name\":\"temperature\",\"state_topic\":\"pigeon/demo/room/temperature\",\"unit_of_measurement\":\"°C\"}");
        at(0, "homeassistant/sensor/pigeon-demo/gps_altitude/config",
            "{\"state_topic\":\"pigeon/demo/gps/altitude\",\"unit_of_measurement\":\"m\"}");
        at(1, "pigeon/demo/availability", "online");
        at(1, "pigeon/demo/room/availability", "online");
        at(2, "pigeon/demo/room/temperature", "21.43");
        at(2, "pigeon/demo/heater/state", "OFF");
        at(2, "pigeon/demo/fan/duty", "40");
        at(3, "pigeon/demo/gps/availability", "offline");
        for (String r : new String[] {"latitude", "longitude", "altitude", "satellites", "fix", "fix_quality", "speed",
            "course"}) {
            at(3, "pigeon/demo/gps/" + r, "123.456789");
        }
        at(4, "pigeon/demo/alerts", "{\"device\":\"gps\",\"availability\":\"offline\",\"reason\":\"port /tmp/"
            + "pigeon-sim-123456789/ttyGPS disappeared after a very long time of faithful service\",\"time\":\"x\"}");
        at(5, "pigeon/demo/relay/error", "{\"error\":\"unknown command: expected ON, OFF, TOGGLE\",\"payload\":\"X\"}");
        now.set(12_000_000_000L);

        String plain = view.render(false);
        for (String line : plain.split("\n")) {
            assertTrue(line.codePointCount(0, line.length()) <= LiveView.WIDTH, "over 80 columns: " + line);
        }
        String header = plain.lines().findFirst().orElseThrow();
        assertTrue(header.endsWith("gateway online  room 21.43 °C  heater OFF  fan 40%"), header);
        assertTrue(plain.contains("temperature 21.43 °C (10s)"), plain);
        assertTrue(plain.contains("altitude 123.456789 m (9s)"), plain);
        assertTrue(plain.contains("offline  [stale]  "), "an offline device's values are marked: " + plain);
        assertTrue(plain.lines().filter(l -> l.contains("123.456789")).count() >= 2, "the GPS wraps: " + plain);
        assertTrue(plain.contains("LAST ALERTS\n  ") && plain.contains("gps offline: port /tmp/"), plain);
        assertTrue(plain.contains("LAST REFUSED COMMANDS\n  ") && plain.contains("relay: unknown command"), plain);

        String color = view.render(true);
        assertTrue(color.contains("\033[2m"), "greyed out on a terminal");
        assertFalse(color.contains("[stale]"));
    }
}
