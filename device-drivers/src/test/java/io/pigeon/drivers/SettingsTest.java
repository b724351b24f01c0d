package io.pigeon.drivers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void typedGettersNameDeviceAndField() {
        Settings s = new Settings("climate", Map.of("baud", "fast", "pin", 99, "interval", "soon"), k -> "pigeon.yaml:7");
        SettingsException e = assertThrows(SettingsException.class, () -> s.integer("baud", 9600, 50, 4_000_000));
        assertEquals("pigeon.yaml:7: device 'climate', field 'baud': must be a whole number, not 'fast'", e.getMessage());
        e = assertThrows(SettingsException.class, () -> s.integer("pin", 0, 0, 53));
        assertTrue(e.getMessage().endsWith("field 'pin': 99 is outside 0..53"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> s.duration("interval", null));
        assertTrue(e.getMessage().contains("is not a duration"), e.getMessage());
        e = assertThrows(SettingsException.class, () -> s.requireString("port"));
        assertTrue(e.getMessage().endsWith("field 'port': is required"), e.getMessage());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(30), Settings.parseDuration("30s"));
        assertEquals(Duration.ofMillis(500), Settings.parseDuration("500ms"));
        assertEquals(Duration.ofMinutes(2), Settings.parseDuration("2m"));
        assertEquals(Duration.ofHours(1), Settings.parseDuration("1h"));
        assertEquals(Duration.ofSeconds(15), Settings.parseDuration("15"));
        assertEquals(Duration.ofMillis(1500), Settings.parseDuration("1.5s"));
        assertEquals(null, Settings.parseDuration("soon"));
    }

    @Test
    void unknownKeyGetsADidYouMeanHint() {
        Settings s = Settings.of("relay", Map.of("pin", 27, "intial", "OFF"));
        s.integer("pin", 0, 0, 53);
        s.string("initial", "OFF");
        SettingsException e = assertThrows(SettingsException.class, s::rejectUnknown);
        assertEquals("device 'relay', field 'intial': unknown setting (did you mean 'initial'?)", e.getMessage());
    }

    @Test
    void unknownDriverIsNamedWithAHint() {
        Settings s = Settings.of("x", Map.of());
        SettingsException e = assertThrows(SettingsException.class,
            () -> Drivers.create("serial-lines", s, new Drivers.Hardware(Pi4jPlatform.of("mock"), null)));
        assertTrue(e.getMessage().contains("unknown driver 'serial-lines' (did you mean 'serial-line'?)"), e.getMessage());
    }

    @Test
    void valuesFormatAsPlainText() {
        assertEquals("21.5", Value.number(21.5, "°C").text());
        assertEquals("22", Value.number(22.0, "°C").text());
        assertEquals("-0.001", Value.number(-0.001, "").text());
        assertEquals("ON", Value.bool(true).text());
        assertEquals("21.57", ((Value.Numeric) Value.number(21.5678, "")).rounded(2).text());
    }
}
