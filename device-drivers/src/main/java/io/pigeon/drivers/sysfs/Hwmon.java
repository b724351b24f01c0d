package io.pigeon.drivers.sysfs;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Any Linux hwmon sensor ({@code /sys/class/hwmon/hwmonN}): the Pi's own {@code cpu_thermal}, fans, voltage and
 * power monitors with kernel drivers. Chosen by its {@code chip} (the content of its {@code name} file) and, when
 * several have that name, {@code index} (0 first, in hwmon order). Every {@code *_input} file is a reading, or only
 * those listed in {@code sensors} (e.g. {@code [temp1, fan1]}); named by its {@code _label} file when there is one,
 * else by its kind ({@code temperature}, {@code voltage}, {@code current}, {@code power}, {@code fan},
 * {@code humidity}, numbered when a kind comes twice). Units as the kernel's hwmon ABI gives them, scaled to °C, V,
 * A, W, rpm and %.
 */
public final class Hwmon extends SysfsSensor {
    /** A sensor's name: its kind and number, e.g. temp1, in0, fan1. */
    private static final Pattern SENSOR = Pattern.compile("(temp|in|curr|power|fan|humidity)(\\d+)");
    private static final Pattern INPUT = Pattern.compile(SENSOR.pattern() + "_input");
    private static final Map<String, String> KIND = Map.of("temp", "temperature", "in", "voltage", "curr", "current",
        "power", "power", "fan", "fan", "humidity", "humidity");
    private static final Map<String, Double> FACTOR = Map.of("temp", 0.001, "in", 0.001, "curr", 0.001,
        "power", 0.000_001, "fan", 1.0, "humidity", 0.001);
    private static final Map<String, String> UNIT = Map.of("temp", "°C", "in", "V", "curr", "A", "power", "W",
        "fan", "rpm", "humidity", "%");

    private final String chip;
    private final int index;
    private final List<String> sensors;

    public Hwmon(Settings s, Path sysfsRoot) {
        super(s, sysfsRoot);
        this.chip = s.requireString("chip"); // e.g. cpu_thermal: cat /sys/class/hwmon/*/name
        this.index = s.integer("index", 0, 0, 64);
        this.sensors = s.list("sensors").stream().map(String::valueOf).toList();
        for (String sensor : sensors) {
            if (!SENSOR.matcher(sensor).matches()) {
                throw s.error("sensors", "'" + sensor + "' is not a hwmon sensor such as temp1, in0, fan1, curr1, "
                    + "power1, humidity1");
            }
        }
    }

    /** The hwmon folders, in hwmonN order, with their chip names. */
    public static Map<Path, String> chips(Path sysfsRoot) throws IOException {
        return Sysfs.numbered(sysfsRoot.resolve("class/hwmon"), "hwmon");
    }

    /** The sensors of a hwmon folder that this driver reads (each with an {@code _input} file), sorted: temp1, ... */
    public static List<String> sensors(Path folder) throws IOException {
        return inputs(folder).stream().map(m -> m.group(1) + m.group(2)).toList();
    }

    private static List<Matcher> inputs(Path folder) throws IOException {
        List<Matcher> found = new ArrayList<>();
        for (Path p : Sysfs.list(folder)) {
            Matcher m = INPUT.matcher(p.getFileName().toString());
            if (m.matches()) {
                found.add(m);
            }
        }
        return found;
    }

    @Override
    List<SysfsChannel> channels() throws DeviceException {
        Path folder = folder();
        List<String[]> found = new ArrayList<>(); // kind, number, file
        try {
            for (Matcher m : inputs(folder)) {
                if (sensors.isEmpty() || sensors.contains(m.group(1) + m.group(2))) {
                    found.add(new String[] {m.group(1), m.group(2), m.group()});
                }
            }
        } catch (IOException e) {
            throw new DeviceException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        Map<String, Integer> perKind = new LinkedHashMap<>();
        found.forEach(f -> perKind.merge(f[0], 1, Integer::sum));
        List<SysfsChannel> channels = new ArrayList<>();
        for (String[] f : found) {
            String label = Sysfs.line(folder.resolve(f[0] + f[1] + "_label"));
            String reading = !label.isEmpty() ? SysfsChannel.readingName(label)
                : perKind.get(f[0]) > 1 ? KIND.get(f[0]) + "_" + f[1] : KIND.get(f[0]);
            channels.add(new SysfsChannel(reading, folder.resolve(f[2]), FACTOR.get(f[0]), 0, UNIT.get(f[0])));
        }
        for (String sensor : sensors) {
            if (channels.stream().noneMatch(c -> c.file().getFileName().toString().equals(sensor + "_input"))) {
                throw new DeviceException("hwmon chip '" + chip + "' has no " + sensor + "_input");
            }
        }
        return channels;
    }

    private Path folder() throws DeviceException {
        Map<Path, String> chips;
        try {
            chips = chips(sysfsRoot);
        } catch (IOException e) {
            throw new DeviceException("cannot list hwmon devices: " + e.getMessage(), e);
        }
        int seen = 0;
        @Nullable Path match = null;
        for (Map.Entry<Path, String> e : chips.entrySet()) {
            if (e.getValue().equals(chip) && seen++ == index) {
                match = e.getKey();
            }
        }
        if (match == null) {
            throw new DeviceException("no hwmon chip '" + chip + "'" + (index > 0 ? " number " + index : "")
                + (chips.isEmpty() ? " (no hwmon devices at all)" : "; there are: " + String.join(", ",
                new java.util.TreeSet<>(chips.values()))));
        }
        return match;
    }
}
