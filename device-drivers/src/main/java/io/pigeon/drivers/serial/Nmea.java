package io.pigeon.drivers.serial;

import io.pigeon.drivers.Value;
import java.util.LinkedHashMap;
import java.util.Map;

/** NMEA 0183 sentences: checksum, and the GGA and RMC fields a gateway publishes. */
public final class Nmea {
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
     * sentence types or for fields left empty because there is no fix.
     */
    public static Map<String, Value> readings(String sentence) {
        Map<String, Value> out = new LinkedHashMap<>();
        String[] f = sentence.substring(1, sentence.lastIndexOf('*')).split(",", -1);
        if (f[0].length() != 5) {
            return out;
        }
        String type = f[0].substring(2);
        if (type.equals("GGA") && f.length >= 10) {
            position(f[2], f[3], f[4], f[5], out);
            integer(f[6], "fix_quality", out);
            integer(f[7], "satellites", out);
            if (!f[9].isEmpty()) {
                number(f[9], "altitude", "m", out);
            }
        } else if (type.equals("RMC") && f.length >= 9) {
            out.put("fix", Value.bool("A".equals(f[2])));
            if ("A".equals(f[2])) {
                position(f[3], f[4], f[5], f[6], out);
                if (!f[7].isEmpty()) {
                    try {
                        double knots = Double.parseDouble(f[7]);
                        out.put("speed", Value.number(Math.round(knots * 1.852 * 100) / 100.0, "km/h"));
                    } catch (NumberFormatException e) {
                        // left out
                    }
                }
                if (!f[8].isEmpty()) {
                    number(f[8], "course", "°", out);
                }
            }
        }
        return out;
    }

    private static void position(String lat, String ns, String lon, String ew, Map<String, Value> out) {
        Double la = degrees(lat, 2);
        Double lo = degrees(lon, 3);
        if (la == null || lo == null) {
            return;
        }
        out.put("latitude", Value.number(round6("S".equals(ns) ? -la : la), "°"));
        out.put("longitude", Value.number(round6("W".equals(ew) ? -lo : lo), "°"));
    }

    /** ddmm.mmmm (or dddmm.mmmm) to decimal degrees. */
    static Double degrees(String field, int degreeDigits) {
        if (field.length() < degreeDigits + 2) {
            return null;
        }
        try {
            double deg = Integer.parseInt(field.substring(0, degreeDigits));
            double min = Double.parseDouble(field.substring(degreeDigits));
            return deg + min / 60.0;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static void integer(String field, String name, Map<String, Value> out) {
        try {
            out.put(name, Value.number(Integer.parseInt(field), ""));
        } catch (NumberFormatException e) {
            // left out
        }
    }

    private static void number(String field, String name, String unit, Map<String, Value> out) {
        try {
            out.put(name, Value.number(Double.parseDouble(field), unit));
        } catch (NumberFormatException e) {
            // left out
        }
    }
}
