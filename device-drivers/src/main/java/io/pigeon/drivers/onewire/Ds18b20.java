package io.pigeon.drivers.onewire;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Maxim DS18B20 temperature sensor through the kernel's w1-therm driver: reads
 * {@code <base>/28-<serial>/w1_slave}, whose first line must end in {@code YES} (the CRC matched) and whose
 * second holds {@code t=<millidegrees>}. 85.000 °C is the power-on value of a conversion that never ran,
 * so it is refused rather than published. The base directory is configurable so tests use a temp one.
 */
public final class Ds18b20 implements Device.Polled {
    public static final Path DEFAULT_BASE = Path.of("/sys/bus/w1/devices");

    private final String name;
    private final Path base;
    private final String id;
    private Path file;

    public Ds18b20(Settings s, Path defaultBase) {
        this.name = s.device();
        this.base = Path.of(s.string("base_dir", defaultBase.toString()));
        this.id = s.string("id", null);
        if (id != null && !id.matches("28-[0-9a-fA-F]{12}")) {
            throw s.error("id", "'" + id + "' is not a DS18B20 id (28- followed by 12 hex digits)");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.SENSOR;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        if (id != null) {
            file = base.resolve(id).resolve("w1_slave");
            if (!Files.isReadable(file)) {
                throw new DeviceException("1-Wire sensor " + id + " not found in " + base
                    + " (is dtoverlay=w1-gpio set and the sensor wired?)");
            }
            return;
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "28-*")) {
            dirs.forEach(found::add);
        } catch (IOException e) {
            throw new DeviceException("cannot list 1-Wire devices in " + base + ": " + e.getMessage());
        }
        if (found.size() != 1) {
            throw new DeviceException(found.isEmpty()
                ? "no DS18B20 found in " + base + " (is dtoverlay=w1-gpio set and the sensor wired?)"
                : found.size() + " DS18B20 sensors in " + base + ": set 'id' to one of " + names(found));
        }
        file = found.get(0).resolve("w1_slave");
    }

    private static String names(List<Path> paths) {
        List<String> out = new ArrayList<>();
        paths.forEach(p -> out.add(p.getFileName().toString()));
        out.sort(null);
        return String.join(", ", out);
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new DeviceException("1-Wire read failed: " + file + " " + e.getMessage());
        }
        Double celsius = parse(text);
        if (celsius == null) {
            ctx.count("crc_errors");
            ctx.trouble("1-Wire CRC check failed");
            return;
        }
        if (celsius == 85.0) {
            ctx.count("power_on_values");
            return;
        }
        ctx.reading("temperature", Value.number(celsius, "°C"));
    }

    /**
     * The temperature in w1_slave text, or null if the CRC line does not say YES. Throws for text that is
     * not w1_slave output at all.
     */
    public static Double parse(String text) throws DeviceException {
        String[] lines = text.strip().split("\n");
        if (lines.length < 2 || !lines[0].contains("crc=")) {
            throw new DeviceException("unexpected w1_slave content: '" + text.strip() + "'");
        }
        if (!lines[0].strip().endsWith("YES")) {
            return null;
        }
        int t = lines[1].indexOf("t=");
        if (t < 0) {
            throw new DeviceException("w1_slave has no t= value: '" + lines[1].strip() + "'");
        }
        try {
            return Integer.parseInt(lines[1].substring(t + 2).strip()) / 1000.0;
        } catch (NumberFormatException e) {
            throw new DeviceException("w1_slave t= value is not a number: '" + lines[1].strip() + "'");
        }
    }

    @Override
    public void close() {
        file = null;
    }
}
