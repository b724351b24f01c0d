package io.pigeon.drivers.serial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pigeon.drivers.Value;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GGA and RMC readings against pynmea2, a parser nobody here wrote (test resource
 * {@code nmea-pynmea2-vectors.txt}, which says how it was produced): the same position to the published six
 * decimals, the same fix, satellites, altitude, speed and course; what pynmea2 reads as NaN or Infinity, or
 * as an impossible position, is refused as a whole sentence.
 */
class NmeaPynmea2Test {
    private static List<String[]> vectors() throws Exception {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            NmeaPynmea2Test.class.getResourceAsStream("/nmea-pynmea2-vectors.txt"), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    out.add(line.split(" \\| "));
                }
            }
        }
        return out;
    }

    private static double number(Map<String, Value> m, String key) {
        return ((Value.Numeric) m.get(key)).value();
    }

    @Test
    void readingsAgreeWithPynmea2() throws Exception {
        List<String[]> all = vectors();
        assertEquals(35, all.size());
        for (String[] v : all) {
            String s = v[0];
            String type = v[1];
            boolean refused = String.join(" ", v).contains("error");
            if (refused) {
                assertThrows(Nmea.BadField.class, () -> Nmea.readings(s, false), s);
                continue;
            }
            Map<String, Value> m = Nmea.readings(s, false);
            switch (type) {
                case "GGA" -> {
                    double quality = Double.parseDouble(v[2]);
                    if (quality == 0) {
                        // no fix: the position the receiver still repeats is stale, so only fix = OFF
                        assertEquals(Map.of("fix", Value.bool(false)), m, s);
                        continue;
                    }
                    assertEquals(Value.bool(true), m.get("fix"), s);
                    assertEquals(quality, number(m, "fix_quality"), s);
                    assertEquals(Double.parseDouble(v[3]), number(m, "satellites"), s);
                    if (!v[4].equals("-")) {
                        assertEquals(Double.parseDouble(v[4]), number(m, "altitude"), 1e-9, s);
                    }
                    position(v, m, s);
                }
                case "RMC" -> {
                    if (v[2].equals("V")) {
                        assertEquals(Map.of("fix", Value.bool(false)), m, s);
                        continue;
                    }
                    assertEquals(Value.bool(true), m.get("fix"), s);
                    position(v, m, s);
                    if (!v[3].equals("-")) {
                        assertEquals(Math.round(Double.parseDouble(v[3]) * 1.852 * 100) / 100.0, number(m, "speed"), s);
                    }
                    if (!v[4].equals("-")) {
                        assertEquals(Double.parseDouble(v[4]), number(m, "course"), 1e-9, s);
                    }
                    // Once the receiver sends GGA, RMC adds only speed and course: each quantity once per fix.
                    Map<String, Value> afterGga = Nmea.readings(s, true);
                    assertFalse(afterGga.containsKey("latitude") || afterGga.containsKey("fix"), s);
                }
                default -> assertEquals(Map.of(), m, s);
            }
        }
    }

    private static void position(String[] v, Map<String, Value> m, String s) {
        assertEquals(Double.parseDouble(v[5]), number(m, "latitude"), 0.5e-6, s);
        assertEquals(Double.parseDouble(v[6]), number(m, "longitude"), 0.5e-6, s);
    }
}
