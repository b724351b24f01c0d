package io.pigeon.drivers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A device's settings as the config file gives them: a plain map, read with typed getters that fail with
 * the device, the field and the problem. Every key read is remembered so that {@link #rejectUnknown}
 * can name a misspelt key and suggest the right one.
 */
public final class Settings {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private final String device;
    private final String subject;
    private final Map<String, Object> values;
    private final Function<String, String> where;
    private final Set<String> known = new HashSet<>();
    private String prefix = "";
    /** Collecting mode (shared with nested sections and blocks): problems, or null to throw the first. */
    private List<SettingsException> problems;

    /**
     * @param where the location of a key for messages, e.g. {@code pigeon.yaml:14}; may return null
     */
    public Settings(String device, Map<String, ?> values, @Nullable Function<String, String> where) {
        this(device, "device '" + device + "'", values, where);
    }

    private Settings(String device, String subject, Map<String, ?> values, Function<String, String> where) {
        this.device = device;
        this.subject = subject;
        this.values = new LinkedHashMap<>(values);
        this.where = where == null ? k -> null : where;
    }

    /** Settings of a config section rather than a device: errors say {@code section 'mqtt'}. */
    public static Settings section(String name, Map<String, ?> values, Function<String, String> where) {
        return new Settings(name, "section '" + name + "'", values, where);
    }

    public static Settings of(String device, Map<String, ?> values) {
        return new Settings(device, values, null);
    }

    public String device() {
        return device;
    }

    /**
     * From now on a wrong or missing setting is recorded and the getter returns its fallback, so that one
     * pass finds every problem of a device ({@link #problems}); explicit {@code throw error(...)} in a driver
     * still ends the pass. One problem per field: what follows from the first is not reported again.
     */
    public Settings collecting() {
        if (problems == null) {
            problems = new ArrayList<>();
        }
        return this;
    }

    /** The problems recorded in collecting mode, in the order found. */
    public List<SettingsException> problems() {
        return problems == null ? List.of() : List.copyOf(problems);
    }

    /** Records a problem thrown by a driver after collecting began (unless its field already has one). */
    public void record(SettingsException e) {
        if (problems == null) {
            throw e;
        }
        if (e.field() == null || problems.stream().noneMatch(p -> e.field().equals(p.field()))) {
            problems.add(e);
        }
    }

    /** Throws the problem, or in collecting mode records it and returns the fallback. */
    private <T> T fail(SettingsException e, T fallback) {
        record(e);
        return fallback;
    }

    private Settings nested(Settings child) {
        child.problems = problems;
        return child;
    }

    /** A nested map (e.g. {@code tls}) as settings of its own, or null when absent. */
    @SuppressWarnings("unchecked")
    public @Nullable Settings section(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            return fail(error(key, "must be a map of settings"), null);
        }
        if (subject.startsWith("section '")) {
            String path = (device.equals("top level") ? "" : device + ".") + key;
            return nested(new Settings(path, "section '" + path + "'", (Map<String, ?>) v,
                k -> where.apply(key + "." + k)));
        }
        Settings s = nested(new Settings(device, subject, (Map<String, ?>) v, k -> where.apply(key + "." + k)));
        s.prefix = prefix + key + ".";
        return s;
    }

    public boolean has(String key) {
        known.add(key);
        return values.get(key) != null;
    }

    public SettingsException error(String key, String problem) {
        return new SettingsException(where.apply(key), subject, prefix + key, problem);
    }

    private Object raw(String key) {
        known.add(key);
        return values.get(key);
    }

    public String string(String key, @Nullable String fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof Collection) {
            return fail(error(key, "must be a text value, not a " + (v instanceof Map ? "map" : "list")), fallback);
        }
        return v.toString();
    }

    public String requireString(String key) {
        String s = string(key, null);
        if (s == null || s.isBlank()) {
            return fail(missing(key, "is required"), "");
        }
        return s;
    }

    public String choice(String key, String fallback, String... allowed) {
        String s = string(key, fallback);
        if (s == null) {
            return fail(missing(key, "is required; one of " + String.join(", ", allowed)), allowed[0]);
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(s)) {
                return a;
            }
        }
        return fail(error(key, "'" + s + "' is not one of " + String.join(", ", allowed)),
            fallback != null ? fallback : allowed[0]);
    }

    public int integer(String key, int fallback, int min, int max) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            n = ((Number) v).longValue();
        } else {
            try {
                String s = v.toString().trim().toLowerCase(Locale.ROOT);
                n = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            } catch (NumberFormatException e) {
                return fail(error(key, "must be a whole number, not '" + v + "'"), fallback);
            }
        }
        if (n < min || n > max) {
            return fail(error(key, n + " is outside " + min + ".." + max), fallback);
        }
        return (int) n;
    }

    public int requireInteger(String key, int min, int max) {
        if (!has(key)) {
            return fail(missing(key, "is required (a whole number " + min + ".." + max + ")"), min);
        }
        return integer(key, 0, min, max);
    }

    public double number(String key, double fallback, double min, double max) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        double d;
        if (v instanceof Number num) {
            d = num.doubleValue();
        } else {
            try {
                d = Double.parseDouble(v.toString().trim());
            } catch (NumberFormatException e) {
                return fail(error(key, "must be a number, not '" + v + "'"), fallback);
            }
        }
        if (!(d >= min && d <= max)) {
            return fail(error(key, d + " is outside " + Decimals.format(min) + ".." + Decimals.format(max)),
                fallback);
        }
        return d;
    }

    public boolean bool(String key, boolean fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> fail(error(key, "must be true or false, not '" + v + "'"), fallback);
        };
    }

    /** A duration: {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a bare number of seconds. */
    public Duration duration(String key, Duration fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        Duration d = parseDuration(v.toString());
        if (d == null) {
            return fail(error(key, "'" + v + "' is not a duration (e.g. 30s, 500ms, 2m, 1h)"), fallback);
        }
        return d;
    }

    public static @Nullable Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    public List<Object> list(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        if (v instanceof String s) {
            List<Object> out = new ArrayList<>();
            for (String part : s.split(",", -1)) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        return fail(error(key, "must be a list"), List.of());
    }

    /** A nested map of settings (e.g. one Modbus register), checked as its own block. */
    @SuppressWarnings("unchecked")
    public List<Settings> blocks(String key) {
        List<Settings> out = new ArrayList<>();
        int i = 0;
        for (Object o : list(key)) {
            if (!(o instanceof Map)) {
                record(error(key, "entry " + (i + 1) + " must be a map of settings"));
                i++;
                continue;
            }
            String path = key + "[" + i + "]";
            Settings block = nested(new Settings(device, subject, (Map<String, ?>) o,
                k -> where.apply(path + "." + k)));
            block.prefix = prefix + path + ".";
            out.add(block);
            i++;
        }
        return out;
    }


    /**
     * A required key is absent: when an unknown key close to it is there ({@code pinn: 5} for {@code pin}), that
     * typo is the likely mistake and is reported instead.
     */
    private SettingsException missing(String key, String problem) {
        for (String present : values.keySet()) {
            if (!known.contains(present) && key.equals(closest(present, List.of(key)))) {
                return new SettingsException(where.apply(present), subject, prefix + present,
                    "unknown setting (did you mean '" + key + "'?)");
            }
        }
        return error(key, problem);
    }

    /** Fails on a key no getter asked for (in collecting mode: records every one), suggesting the closest known one. */
    public void rejectUnknown() {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                String hint = closest(key, known);
                record(new SettingsException(where.apply(key), subject, prefix + key, "unknown setting"
                    + (hint != null ? " (did you mean '" + hint + "'?)" : "")));
            }
        }
    }

    /** The candidate within edit distance 2 (or a third of the word), or null. */
    public static @Nullable String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
