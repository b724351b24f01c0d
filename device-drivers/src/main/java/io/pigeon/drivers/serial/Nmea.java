package io.pigeon.drivers.serial;

import io.pigeon.drivers.Value;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** NMEA 0183 sentences: checksum, and the GGA and RMC fields a gateway publishes. */
public final class Nmea {
    /** A field that is a plain decimal number; Java's parser would also take NaN, Infinity, 1e5 and 0x1p3. */
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]*)?");

    /** A field that is present but not what NMEA allows there. */
    public static final class BadField extends Exception {
        private static final long serialVersionUID = 1L;

        BadField(String message) {
            super(message);
        }
    }

    private Nmea() {
    }

    /** XOR of the characters between '$' and '*', as two upper-case hex digits. */
    public static String checksum(String body) {
        int x = 0;
        for (int i = 0; i < body.length(); i++) {
            x ^= body.charAt(i);
        }
        return String.format("%02X", x);
    }

    /** "$" + body + "*" + checksum: a sentence as a receiver sends it (without CR LF). */
    public static String sentence(String body) {
        return "$" + body + "*" + checksum(body);
    }

    /** Whether the sentence's checksum is present and right. */
    public static boolean valid(String sentence) {
        int star = sentence.lastIndexOf('*');
        if (!sentence.startsWith("$") || star < 1 || star + 3 != sentence.length()) {
            return false;
        }
        return checksum(sentence.substring(1, star)).equalsIgnoreCase(sentence.substring(star + 1));
    }

    /**
     * The readings in a valid GGA or RMC sentence (any talker: GP, GN, GL, GA, BD); an empty map for other
     * sentence types. Each quantity comes from one sentence type only: once a receiver has sent GGA
     * ({@code ggaSeen}), position and fix come from GGA and RMC adds only speed and course; a receiver that
     * sends only RMC gets position and fix from RMC. Without a fix only {@code fix = OFF} is published, never
     * the last position the receiver still repeats.
     *
     * @throws BadField when a field holds something no receiver should send (NaN, Infinity, 91°)
     */
    public static Map<String, Value> readings(String sentence, boolean ggaSeen) throws BadField {
        Map<String, Value> out = new LinkedHashMap<>();
        String[] f = sentence.substring(1, sentence.lastIndexOf('*')).split(",", -1);
        if (f[0].length() != 5) {
            return out;
        }
        String type = f[0].substring(2);
        if (type.equals("GGA") && f.length >= 10) {
            Double quality = number(f[6], "fix quality");
            boolean fix = quality != null && quality > 0;
            out.put("fix", Value.bool(fix));
            if (fix) {
                position(f[2], f[3], f[4], f[5], out);
                out.put("fix_quality", Value.number(quality, ""));
                put(out, "satellites", number(f[7], "satellites"), "");
                put(out, "altitude", number(f[9], "altitude"), "m");
            }
        } else if (type.equals("RMC") && f.length >= 9) {
            boolean fix = "A".equals(f[2]);
            if (!ggaSeen) {
                out.put("fix", Value.bool(fix));
            }
            if (fix) {
                if (!ggaSeen) {
                    position(f[3], f[4], f[5], f[6], out);
                }
                Double knots = number(f[7], "speed");
                if (knots != null) {
                    out.put("speed", Value.number(Value.round(knots * 1.852, 2), "km/h"));
                }
                put(out, "course", number(f[8], "course"), "°");
            }
        }
        return out;
    }

    private static void position(String lat, String ns, String lon, String ew, Map<String, Value> out)
        throws BadField {
        Double la = degrees(lat, 2, 90);
        Double lo = degrees(lon, 3, 180);
        if (la == null || lo == null) {
            return;
        }
        out.put("latitude", Value.number(Value.round("S".equals(ns) ? -la : la, 6), "°"));
        out.put("longitude", Value.number(Value.round("W".equals(ew) ? -lo : lo, 6), "°"));
    }

    /** ddmm.mmmm (or dddmm.mmmm) to decimal degrees; null for an empty field. */
    static @Nullable Double degrees(String field, int degreeDigits, int max) throws BadField {
        if (field.isEmpty()) {
            return null;
        }
        if (field.length() < degreeDigits + 2 || field.charAt(0) == '-' || !DECIMAL.matcher(field).matches()) {
            throw new BadField("'" + field + "' is not a position (d" + "d".repeat(degreeDigits - 1) + "mm.mmmm)");
        }
        int deg = Integer.parseInt(field.substring(0, degreeDigits));
        double min = Double.parseDouble(field.substring(degreeDigits));
        double value = deg + min / 60.0;
        if (min >= 60 || value > max) {
            throw new BadField("'" + field + "' is not a position (over " + max + "° or 60 minutes)");
        }
        return value;
    }

    /** A decimal field, or null when empty (no fix, no value). */
    private static @Nullable Double number(String field, String what) throws BadField {
        if (field.isEmpty()) {
            return null;
        }
        if (!DECIMAL.matcher(field).matches()) {
            throw new BadField(what + " '" + field + "' is not a number");
        }
        return Double.parseDouble(field);
    }

    private static void put(Map<String, Value> out, String name, Double value, String unit) {
        if (value != null) {
            out.put(name, Value.number(value, unit));
        }
    }
}
