package io.pigeon.drivers.onewire;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Maxim DS18B20 temperature sensor through the kernel's w1-therm driver: reads
 * {@code <base>/28-<serial>/w1_slave}, whose first line must end in {@code YES} (the CRC matched) and whose
 * second holds {@code t=<millidegrees>}. A CRC error, an empty read, an all-zero scratchpad and 85.000 °C (the
 * power-on value of a conversion that never ran) are each one failed read: counted, never published, and
 * only {@code errors_before_offline} of them in a row make the sensor offline. The base directory is configurable so tests use a temp one.
 */
public final class Ds18b20 extends NamedDevice implements Device.Polled {
    public static final Path DEFAULT_BASE = Path.of("/sys/bus/w1/devices");

    private final Path base;
    private final String id;
    private @Nullable Path file;

    public Ds18b20(Settings s, Path defaultBase) {
        super(s, DeviceKind.SENSOR);
        this.base = Path.of(s.string("base_dir", defaultBase.toString()));
        this.id = s.string("id", null);
        if (id != null && !id.matches("28-[0-9a-fA-F]{12}")) {
            throw s.error("id", "'" + id + "' is not a DS18B20 id (28- followed by 12 hex digits)");
        }
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

    @Override
    public List<Path> files() {
        return List.of(id != null ? base.resolve(id).resolve("w1_slave") : base);
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
        if (text.isBlank()) {
            // Kernels from 5.10 on return nothing when a conversion failed: one failed read, not a lost sensor.
            ctx.count("empty_reads");
            throw new DeviceException("1-Wire read returned nothing (the conversion failed)");
        }
        Double celsius = parse(text);
        if (celsius == null) {
            ctx.count("crc_errors");
            throw new DeviceException("1-Wire CRC check failed");
        }
        if (celsius.equals(ALL_ZERO)) {
            ctx.count("zero_scratchpads");
            throw new DeviceException("1-Wire sensor answered all zeros (a read that saw no sensor)");
        }
        if (celsius == 85.0) {
            ctx.count("power_on_values");
            throw new DeviceException("1-Wire sensor returned its power-on value 85 °C (no conversion ran)");
        }
        ctx.reading("temperature", Value.number(celsius, "°C"));
    }

    /** What {@link #parse} returns for an all-zero scratchpad, whose CRC is (wrongly) fine: never a temperature. */
    static final Double ALL_ZERO = Double.NEGATIVE_INFINITY;

    /**
     * The temperature in w1_slave text, null if the CRC line does not say YES, {@link #ALL_ZERO} if every
     * scratchpad byte is 0 (CRC 0 of all zeros is "valid"). Throws for text that is not w1_slave output at all.
     */
    public static @Nullable Double parse(String text) throws DeviceException {
        String[] lines = text.strip().split("\n");
        if (lines.length < 2 || !lines[0].contains("crc=")) {
            throw new DeviceException("unexpected w1_slave content: '" + text.strip() + "'");
        }
        if (!lines[0].strip().endsWith("YES")) {
            return null;
        }
        String bytes = lines[0].substring(0, lines[0].indexOf(':') < 0 ? 0 : lines[0].indexOf(':'));
        if (!bytes.isBlank() && bytes.strip().replace("00", "").replace(" ", "").isEmpty()) {
            return ALL_ZERO;
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
