package io.pigeon.drivers.sysfs;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Any Linux Industrial I/O device ({@code /sys/bus/iio/devices/iio:deviceN}): every sensor with a kernel driver,
 * DHT11/DHT22 through {@code dtoverlay=dht11} included (the reliable way on a Pi: the kernel times the wire, which
 * a JVM cannot). Chosen by {@code device} (its {@code name} file: {@code dht11}, {@code ads1015}, {@code bme280},
 * ...) and {@code index} when several share it. Each channel is a reading: {@code in_X_input}, or
 * {@code (in_X_raw + in_X_offset) × in_X_scale} (scale and offset per channel or per type, as the kernel gives
 * them), in the IIO ABI's units scaled to the published ones: temperature m°C to °C, relative humidity m% to %,
 * voltage mV to V, current mA to A, pressure kPa to hPa; illuminance (lx) and others as they are. A read that the
 * kernel fails (the dht11 driver's EIO or ETIMEDOUT) is one failed read, not a lost device.
 */
public final class Iio extends SysfsSensor {
    private static final Pattern CHANNEL = Pattern.compile("in_([a-z]+)(\\d*)(?:_([a-z0-9]+))?_(input|raw)");
    /** IIO type: reading name, factor from the ABI's unit, published unit. */
    private static final Map<String, Object[]> TYPES = Map.of(
        "temp", new Object[] {"temperature", 0.001, "°C"},
        "humidityrelative", new Object[] {"humidity", 0.001, "%"},
        "voltage", new Object[] {"voltage", 0.001, "V"},
        "current", new Object[] {"current", 0.001, "A"},
        "pressure", new Object[] {"pressure", 10.0, "hPa"},
        "illuminance", new Object[] {"illuminance", 1.0, "lx"},
        "resistance", new Object[] {"resistance", 1.0, "Ω"},
        "proximity", new Object[] {"proximity", 1.0, ""},
        "intensity", new Object[] {"intensity", 1.0, ""});

    private final String device;
    private final int index;

    public Iio(Settings s, Path sysfsRoot) {
        super(s, sysfsRoot);
        this.device = s.string("device", ""); // e.g. dht11: cat /sys/bus/iio/devices/*/name
        this.index = s.integer("index", 0, 0, 64);
        if (device.isEmpty() && !s.has("index")) {
            throw s.error("device", "missing: the IIO device's name (e.g. dht11), or its index (iio:deviceN)");
        }
    }

    /** The IIO device folders, in iio:deviceN order, with their names. */
    public static Map<Path, String> devices(Path sysfsRoot) throws IOException {
        return Sysfs.numbered(sysfsRoot.resolve("bus/iio/devices"), "iio:device");
    }

    /**
     * The channel files of an IIO folder that this driver reads, sorted: each {@code in_X_input}, and each
     * {@code in_X_raw} whose channel has no processed value beside it.
     */
    public static List<String> channelFiles(Path folder) throws IOException {
        return readable(folder).stream().map(Matcher::group).toList();
    }

    private static List<Matcher> readable(Path folder) throws IOException {
        List<Matcher> found = new ArrayList<>();
        for (Path p : Sysfs.list(folder)) {
            Matcher m = CHANNEL.matcher(p.getFileName().toString());
            if (m.matches() && TYPES.containsKey(m.group(1))) {
                found.add(m);
            }
        }
        // A raw value whose processed value is there is the same channel: the processed one is read.
        found.removeIf(m -> m.group(4).equals("raw") && found.stream().anyMatch(o -> o.group(4).equals("input")
            && o.group(1).equals(m.group(1)) && o.group(2).equals(m.group(2))
            && java.util.Objects.equals(o.group(3), m.group(3))));
        return found;
    }

    @Override
    List<SysfsChannel> channels() throws DeviceException {
        Path folder = folder();
        List<Matcher> found;
        try {
            found = readable(folder);
        } catch (IOException e) {
            throw new DeviceException("cannot list " + folder + ": " + e.getMessage(), e);
        }
        List<SysfsChannel> channels = new ArrayList<>();
        for (Matcher m : found) {
            String channel = m.group(1) + m.group(2) + (m.group(3) == null ? "" : "_" + m.group(3));
            Object[] type = TYPES.get(m.group(1));
            double scale = 1;
            double offset = 0;
            if (m.group(4).equals("raw")) {
                scale = number(folder, "in_" + channel + "_scale", "in_" + m.group(1) + "_scale", 1);
                offset = number(folder, "in_" + channel + "_offset", "in_" + m.group(1) + "_offset", 0);
            }
            channels.add(new SysfsChannel(m.group(2).isEmpty() ? (String) type[0] : type[0] + "_" + m.group(2),
                folder.resolve(m.group()), scale * (double) type[1], offset, (String) type[2]));
        }
        return channels;
    }

    /** A scale or offset: the channel's own file, else the type's shared one, else the default. */
    private static double number(Path folder, String own, String shared, double fallback) throws DeviceException {
        for (String name : new String[] {own, shared}) {
            Path f = folder.resolve(name);
            if (Files.exists(f)) {
                String text = Sysfs.line(f);
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new DeviceException(f + " holds '" + text + "', not a number");
                }
            }
        }
        return fallback;
    }

    private Path folder() throws DeviceException {
        Map<Path, String> all;
        try {
            all = devices(sysfsRoot);
        } catch (IOException e) {
            throw new DeviceException("cannot list IIO devices: " + e.getMessage(), e);
        }
        int seen = 0;
        @Nullable Path match = null;
        for (Map.Entry<Path, String> e : all.entrySet()) {
            boolean byIndex = device.isEmpty() && e.getKey().getFileName().toString().equals("iio:device" + index);
            if (byIndex || (e.getValue().equals(device) && seen++ == index)) {
                match = e.getKey();
            }
        }
        if (match == null) {
            throw new DeviceException((device.isEmpty() ? "no iio:device" + index : "no IIO device '" + device + "'"
                + (index > 0 ? " number " + index : ""))
                + (all.isEmpty() ? " (no IIO devices at all: for a DHT11/DHT22, dtoverlay=dht11,gpiopin=N in "
                + "/boot/firmware/config.txt)" : "; there are: " + String.join(", ", new java.util.TreeSet<>(all.values()))));
        }
        return match;
    }
}
