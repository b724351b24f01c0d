package io.pigeon.sim;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.tinylog.Logger;

/**
 * The simulated hardware of a scenario: serial devices on pseudo-terminals, GPIO/PWM/I2C/1-Wire devices
 * on Pi4J's mock platform, the world they measure, and a timeline of faults. Ticks once a second.
 */
public final class Simulation implements AutoCloseable {
    /** A fault on the timeline: at {@code at} from the start, for {@code duration} (null: until cleared). */
    public record TimedFault(Duration at, String device, String fault, Duration duration) {
    }

    private final World world;
    private final Path dir;
    private final Map<String, SerialSim> serial = new LinkedHashMap<>();
    private final List<String> hardwareDevices = new ArrayList<>();
    private final List<TimedFault> timeline;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pigeon-sim");
        t.setDaemon(true);
        return t;
    });
    private HardwareSim hardware;
    /** Whether {@link #dir} is this instance's own temporary folder, removed at {@link #close}. */
    private final boolean ownDir;

    private Simulation(World world, Path dir, List<TimedFault> timeline, boolean ownDir) {
        this.world = world;
        this.dir = dir;
        this.timeline = timeline;
        this.ownDir = ownDir;
    }


    /** Builds the simulation a scenario file describes (see {@code demo-scenario.yaml}). */
    @SuppressWarnings("unchecked")
    public static Simulation fromScenario(String yaml, Pi4jPlatform platform) throws IOException {
        Object root = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        if (!(root instanceof Map)) {
            throw new IllegalArgumentException("a scenario is a map with seed, devices and faults");
        }
        Settings s = Settings.section("scenario", (Map<String, ?>) root, k -> null);
        long seed = s.integer("seed", 42, Integer.MIN_VALUE, Integer.MAX_VALUE);
        Duration day = s.duration("day_length", Duration.ofMinutes(10));
        // Each instance its own folder (a second demo, or the tests, beside a running one), removed at close.
        String given = s.string("dir", null);
        Path dir = given != null ? Path.of(given) : Files.createTempDirectory("pigeon-sim-");
        List<TimedFault> faults = new ArrayList<>();
        for (Settings f : s.blocks("faults")) {
            faults.add(new TimedFault(f.duration("at", Duration.ZERO), f.requireString("device"),
                f.requireString("fault"), f.duration("for", null)));
            f.rejectUnknown();
        }
        Simulation sim = new Simulation(new World(seed, day.toSeconds()), dir, faults, given == null);
        Files.createDirectories(dir);
        try {
            for (Settings d : s.blocks("devices")) {
                String name = d.requireString("name");
                String type = d.choice("type", null, "serial-line", "nmea", "pms5003", "sds011", "mhz19", "modbus-rtu",
                    "gpio", "i2c", "onewire", "sysfs");
                d.rejectUnknown();
                Path link = dir.resolve("tty" + name.toUpperCase(Locale.ROOT));
                switch (type) {
                    case "serial-line" -> sim.serial.put(name, new LineSensorSim(name, link, sim.world));
                    case "nmea" -> sim.serial.put(name, new GpsSim(name, link, sim.world));
                    case "pms5003" -> sim.serial.put(name, new Pms5003Sim(name, link, sim.world));
                    case "sds011" -> sim.serial.put(name, new Sds011Sim(name, link, sim.world));
                    case "mhz19" -> sim.serial.put(name, new Mhz19Sim(name, link, sim.world));
                    case "modbus-rtu" -> sim.serial.put(name, new ModbusSlaveSim(name, link, sim.world));
                    default -> sim.hardwareDevices.add(name);
                }
            }
            s.rejectUnknown();
            sim.usbIdentities();
            if (platform != null) {
                sim.hardware = new HardwareSim(platform, sim.world, dir.resolve("w1"), dir.resolve("sys"));
            }
        } catch (RuntimeException | IOException e) {
            sim.close();
            throw e;
        }
        return sim;
    }

    /**
     * Each serial device as a USB adapter would appear: a stable link in {@code dev/serial/by-id} and its
     * vendor, product and maker under {@code sys/class/tty}, for {@code pigeon scan} to find.
     */
    private void usbIdentities() throws IOException {
        Path byId = Files.createDirectories(dir.resolve("dev/serial/by-id"));
        int n = 1;
        for (SerialSim s : serial.values()) {
            String tty = s.link().getFileName().toString();
            String serialNumber = String.format(Locale.ROOT, "PGN%04d", n++);
            Path link = byId.resolve("usb-Pigeon_Simulated_" + s.driver() + "_" + serialNumber + "-if00-port0");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("../../..").resolve(tty));
            Path usb = Files.createDirectories(dir.resolve("sys/class/tty").resolve(tty).resolve("device"));
            Files.writeString(usb.resolve("idVendor"), "1d6b\n");
            Files.writeString(usb.resolve("idProduct"), "0104\n");
            Files.writeString(usb.resolve("manufacturer"), "Pigeon\n");
            Files.writeString(usb.resolve("product"), "Simulated " + s.driver() + "\n");
        }
    }

    /** The folder a scan takes for /dev (the by-id links); {@link #sysfsRoot} for /sys. */
    public Path devRoot() {
        return dir.resolve("dev");
    }

    /** Adds a fault to the timeline; call before {@link #start}. */
    public void schedule(TimedFault fault) {
        timeline.add(fault);
    }

    /**
     * A fault as given on the command line: {@code device:fault[:duration][@at]}, e.g.
     * {@code gps:unplug:10s@30s} (unplug the GPS 30 s after the start, for 10 s).
     */
    public static TimedFault parseFault(String text) {
        String spec = text;
        Duration at = Duration.ZERO;
        int atSign = spec.indexOf('@');
        if (atSign >= 0) {
            at = Settings.parseDuration(spec.substring(atSign + 1));
            spec = spec.substring(0, atSign);
        }
        String[] parts = spec.split(":");
        Duration duration = parts.length > 2 ? Settings.parseDuration(parts[2]) : null;
        if (parts.length < 2 || parts.length > 3 || at == null || (parts.length > 2 && duration == null)) {
            throw new IllegalArgumentException("a fault is device:fault[:duration][@at], e.g. gps:unplug:10s@30s, not '" + text + "'");
        }
        return new TimedFault(at, parts[0], parts[1], duration);
    }

    public World world() {
        return world;
    }

    public Path dir() {
        return dir;
    }

    public Map<String, SerialSim> serialDevices() {
        return serial;
    }

    /** The sysfs root (hwmon, IIO) the gateway should read, or null without hardware simulation. */
    public @Nullable Path sysfsRoot() {
        return hardware == null ? null : hardware.sysfsRoot();
    }

    /** The 1-Wire directory the gateway should read, or null without hardware simulation. */
    public @Nullable Path oneWireDir() {
        return hardware == null ? null : hardware.oneWireDir();
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the ticker is shut down as a whole at close; tasks catch their own
    public void start() {
        long t0 = System.nanoTime();
        ticker.scheduleAtFixedRate(() -> {
            try {
                world.step(1.0);
                serial.values().forEach(SerialSim::tick);
                if (hardware != null) {
                    hardware.tick();
                }
            } catch (RuntimeException e) {
                Logger.warn(e, "sim tick failed");
            }
        }, 0, 1, TimeUnit.SECONDS);
        for (TimedFault f : timeline) {
            ticker.schedule(() -> {
                try {
                    fault(f.device(), f.fault(), f.duration());
                } catch (IllegalArgumentException | IOException e) {
                    Logger.warn("sim: scenario fault failed: {}", e.getMessage());
                }
            }, f.at().toMillis() - (System.nanoTime() - t0) / 1_000_000, TimeUnit.MILLISECONDS);
        }
    }

    /** Applies a fault now; for GPIO/I2C faults with a duration, clears it afterwards. */
    @SuppressWarnings("FutureReturnValueIgnored") // the ticker is shut down as a whole at close
    public void fault(String device, String kind, Duration duration) throws IOException {
        SerialSim s = serial.get(device);
        if (s != null) {
            s.fault(kind, duration);
            return;
        }
        if (hardware != null && hardware.fault(device, kind, true)) {
            Logger.info("sim: {} -> {}", device, kind);
            if (duration != null) {
                ticker.schedule(() -> {
                    hardware.fault(device, kind, false);
                    Logger.info("sim: {} back to normal", device);
                }, duration.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        throw new IllegalArgumentException("no simulated device '" + device + "' with a fault '" + kind + "'");
    }

    /** Config entries for the serial devices, pointing the gateway at the pty links. */
    public String serialConfig() {
        StringBuilder sb = new StringBuilder();
        for (SerialSim s : serial.values()) {
            sb.append("  - name: ").append(s.name()).append('\n')
                .append("    driver: ").append(s.driver()).append('\n')
                .append("    port: ").append(s.link()).append('\n');
            for (String line : s.configSnippet().split("\n")) {
                if (!line.isBlank()) {
                    sb.append("    ").append(line).append('\n');
                }
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        serial.values().forEach(SerialSim::close);
        if (hardware != null) {
            hardware.close();
        }
        if (ownDir) {
            deleteTree(dir);
        }
    }

    /** Removes a folder and what is in it; never throws (a leftover is harmless, a crash at exit is not). */
    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left behind
                }
            });
        } catch (IOException | RuntimeException e) {
            // left behind
        }
    }
}
