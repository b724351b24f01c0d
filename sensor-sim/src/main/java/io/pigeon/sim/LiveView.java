package io.pigeon.sim;

import io.pigeon.gateway.config.Topics;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's terminal view, built only from what arrives over MQTT (as any user of the gateway sees it): a
 * header with the gateway's availability and the room, a line per device with its availability and each
 * reading with its unit and age, the last alerts and the last refused commands. It fits {@value #WIDTH}
 * columns: a device's readings wrap under their column, other cells are cut; the header is kept short.
 * Values of an offline device are greyed out on a terminal (marked {@code [stale]} otherwise).
 *
 * <p>Thread-safe: MQTT messages arrive on the client's thread, the view is drawn on another.
 */
final class LiveView {
    static final int WIDTH = 80;
    private static final int NAME = 9;
    private static final int STATE = 8;
    private static final int KEEP = 3;
    private static final Pattern UNIT = Pattern.compile("\"unit_of_measurement\":\"([^\"]*)\"");
    private static final Pattern STATE_TOPIC = Pattern.compile("\"state_topic\":\"([^\"]*)\"");
    private static final Pattern FIELD = Pattern.compile("\"(device|availability|reason|gateway|event|error)\":\"([^\"]*)\"");

    private record Seen(String value, long atNanos) {
    }

    private final String root;
    private final LongSupplier clock;
    private final Map<String, Seen> latest = new ConcurrentHashMap<>();
    private final Map<String, String> units = new ConcurrentHashMap<>();
    private final Deque<String> alerts = new ArrayDeque<>();
    private final Deque<String> refused = new ArrayDeque<>();

    LiveView(String root, LongSupplier clock) {
        this.root = root;
        this.clock = clock;
    }

    /** Every message under the root, and Home Assistant's discovery configs (for the units). */
    void message(String topic, String payload) {
        if (topic.endsWith("/config") && !topic.startsWith(root + "/")) {
            Matcher u = UNIT.matcher(payload);
            Matcher t = STATE_TOPIC.matcher(payload);
            if (u.find() && t.find() && t.group(1).startsWith(root + "/")) {
                units.put(t.group(1).substring(root.length() + 1), u.group(1));
            }
            return;
        }
        if (!topic.startsWith(root + "/")) {
            return;
        }
        String key = topic.substring(root.length() + 1);
        String now = LocalTime.now(java.time.ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).toString();
        if (key.equals(Topics.ALERTS)) {
            Map<String, String> f = fields(payload);
            String what = f.containsKey("device")
                ? f.get("device") + " " + f.getOrDefault("availability", "") + (f.getOrDefault("reason", "").isEmpty()
                    ? "" : ": " + f.get("reason"))
                : f.getOrDefault("gateway", "gateway") + " " + f.getOrDefault("event", payload);
            remember(alerts, now + " " + what);
            return;
        }
        if (key.endsWith("/" + Topics.ERROR)) {
            remember(refused, now + " " + key.substring(0, key.length() - Topics.ERROR.length() - 1) + ": "
                + fields(payload).getOrDefault("error", payload));
            return;
        }
        latest.put(key, new Seen(payload, clock.getAsLong()));
    }

    private static Map<String, String> fields(String json) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            out.putIfAbsent(m.group(1), m.group(2));
        }
        return out;
    }

    private static void remember(Deque<String> list, String line) {
        synchronized (list) {
            list.addLast(line);
            while (list.size() > KEEP) {
                list.removeFirst();
            }
        }
    }

    private String value(String key) {
        Seen s = latest.get(key);
        return s == null ? "?" : s.value();
    }

    private String age(long atNanos) {
        long s = Math.max(0, (clock.getAsLong() - atNanos) / 1_000_000_000L);
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" : s / 3600 + "h";
    }

    /** The view as lines of at most {@value #WIDTH} columns; {@code color}: ANSI dim for offline values. */
    String render(boolean color) {
        List<String> out = new ArrayList<>();
        String unit = units.getOrDefault("room/temperature", "");
        out.add(String.format(Locale.ROOT, "%s  gateway %s  room %s%s  heater %s  fan %s%%",
            LocalTime.now(java.time.ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS), value(Topics.AVAILABILITY), value("room/temperature"),
            unit.isEmpty() ? "" : " " + unit, value("heater/state"), value("fan/duty")));
        out.add(pad("DEVICE", NAME) + " " + pad("STATE", STATE) + " READINGS");
        Map<String, Map<String, Seen>> byDevice = new TreeMap<>();
        latest.forEach((key, seen) -> {
            String[] parts = key.split("/");
            if (parts.length == 2 && !parts[0].equals("sim")) {
                byDevice.computeIfAbsent(parts[0], k -> new TreeMap<>()).put(parts[1], seen);
            }
        });
        int indent = NAME + 1 + STATE + 1;
        byDevice.forEach((device, values) -> {
            Seen av = values.get(Topics.AVAILABILITY);
            boolean offline = av != null && !av.value().equals("online");
            List<String> cells = new ArrayList<>();
            if (offline && !color) {
                cells.add("[stale]");
            }
            values.forEach((reading, seen) -> {
                if (!reading.equals(Topics.AVAILABILITY)) {
                    String u = units.getOrDefault(device + "/" + reading, "");
                    cells.add(reading + " " + seen.value() + (u.isEmpty() ? "" : " " + u) + " (" + age(seen.atNanos()) + ")");
                }
            });
            List<String> lines = wrap(cells, WIDTH - indent);
            String first = pad(cut(device, NAME), NAME) + " " + pad(av == null ? "?" : av.value(), STATE) + " ";
            for (int i = 0; i < Math.max(1, lines.size()); i++) {
                String text = lines.isEmpty() ? "" : lines.get(i);
                if (offline && color && !text.isEmpty()) {
                    text = "\033[2m" + text + "\033[0m";
                }
                out.add((i == 0 ? first : " ".repeat(indent)) + text);
            }
        });
        section(out, "LAST ALERTS", alerts);
        section(out, "LAST REFUSED COMMANDS", refused);
        return String.join("\n", out) + "\n";
    }

    private static void section(List<String> out, String title, Deque<String> lines) {
        synchronized (lines) {
            if (!lines.isEmpty()) {
                out.add(title);
                lines.forEach(l -> out.add("  " + cut(l, WIDTH - 2)));
            }
        }
    }

    /** Cells joined by two spaces, wrapped at {@code width}; a cell longer than a line is cut. */
    static List<String> wrap(List<String> cells, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String c : cells) {
            String cell = cut(c, width);
            if (line.length() > 0 && line.length() + 2 + cell.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append("  ");
            }
            line.append(cell);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "…";
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
