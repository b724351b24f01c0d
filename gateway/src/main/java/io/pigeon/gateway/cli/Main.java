package io.pigeon.gateway.cli;

import io.pigeon.gateway.bridge.Gateway;
import io.pigeon.gateway.config.ConfigException;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.ConfigWarnings;
import io.pigeon.gateway.config.DeviceConfig;
import io.pigeon.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.tinylog.Logger;

/**
 * {@code pigeon run --config pigeon.yaml}, {@code pigeon check --config pigeon.yaml}, {@code --help},
 * {@code --version}. Exit codes: 0 normal stop, 1 runtime failure, 2 bad usage or bad config.
 */
public final class Main {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    static final String HELP = """
        Usage: pigeon <command> [options]

        Commands:
          run   --config FILE   run the gateway in the foreground (SIGTERM or Ctrl-C stops it cleanly)
          check --config FILE   validate the config file and exit (0 = valid, 2 = invalid);
                                "check FILE" and "run FILE" work too
          scan  [--json]        list what is plugged in (serial ports, I2C chips, 1-Wire, IIO, hwmon, GPIO
                                and PWM chips) with a config entry for each; only reads
                [--sysfs-root DIR] [--dev-root DIR] [--onewire-dir DIR]   (default /sys, /dev, /sys/bus/w1/devices)

        Options:
          -c, --config FILE     the config file (default: /etc/pigeon/pigeon.yaml)
          -h, --help            show this help
          -V, --version         show the version

        Environment:
          PIGEON_MQTT_USERNAME, PIGEON_MQTT_PASSWORD   override the broker credentials of the file

        Exit codes: 0 stopped normally, 1 runtime failure, 2 bad usage or bad config.
        """;

    private Main() {
    }

    /** What the process exits with: set before {@code System.exit}, so the shutdown hook keeps it. */
    private static volatile int exitStatus = OK;

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        exitStatus = status;
        System.exit(status);
    }

    public static String version() {
        return Gateway.version();
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("scan")) {
            return scan(args, out, err);
        }
        String command = null;
        Path config = Path.of("/etc/pigeon/pigeon.yaml");
        boolean configGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help", "help" -> {
                    out.print(HELP);
                    return OK;
                }
                case "-V", "--version", "version" -> {
                    out.println("pigeon " + version());
                    return OK;
                }
                case "-c", "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("pigeon: " + a + " needs a file name");
                        return USAGE;
                    }
                    config = Path.of(args[++i]);
                    configGiven = true;
                }
                case "run", "check" -> {
                    if (command != null) {
                        err.println("pigeon: give one command, not '" + command + "' and '" + a + "'");
                        return USAGE;
                    }
                    command = a;
                }
                default -> {
                    if (a.startsWith("--config=")) {
                        config = Path.of(a.substring("--config=".length()));
                    } else if (command != null && !configGiven && !a.startsWith("-")) {
                        config = Path.of(a); // "pigeon check pigeon.yaml", as people type it
                        configGiven = true;
                    } else {
                        err.println("pigeon: unknown argument '" + a + "' (see pigeon --help)");
                        return USAGE;
                    }
                }
            }
        }
        if (command == null) {
            err.println("pigeon: missing command: run or check (see pigeon --help)");
            return USAGE;
        }
        GatewayConfig cfg;
        try {
            cfg = new ConfigLoader(System.getenv()).load(config);
        } catch (ConfigException e) {
            err.println("pigeon: invalid config: " + e.getMessage());
            return USAGE;
        }
        if (command.equals("check")) {
            out.println("config " + config + " is valid: " + cfg.devices().size() + " device(s), broker "
                + cfg.mqtt().host() + ":" + cfg.mqtt().port() + ", topics under " + cfg.mqtt().topicPrefix() + "/");
            for (DeviceConfig d : cfg.devices()) {
                out.println("  " + d.name() + " (" + d.driver() + ")");
            }
            if (cfg.mqtt().outboxDir() != null) {
                String holder = io.pigeon.mqtt.FileOutbox.lockHolder(cfg.mqtt().outboxDir());
                if (!holder.isEmpty()) {
                    out.println("warning: outbox_dir " + cfg.mqtt().outboxDir() + " is in use by another process (pid "
                        + holder + "): a second gateway on it would refuse to start");
                }
            }
            if (cfg.hardware().fellBack()) {
                out.println("warning: platform auto: this is not a Raspberry Pi, so GPIO, I2C and PWM would be simulated");
            }
            for (String w : ConfigWarnings.of(cfg)) {
                out.println("warning: " + w);
            }
            return OK;
        }
        Logging.configure(cfg.log(), System.getenv());
        for (String w : ConfigWarnings.of(cfg)) {
            org.tinylog.Logger.warn("config: {}", w);
        }
        return runGateway(cfg);
    }

    /** {@code pigeon scan}: on the platform this board has (auto), reading only. */
    private static int scan(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        io.pigeon.gateway.scan.Scanner.Roots roots = io.pigeon.gateway.scan.Scanner.Roots.system();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
                continue;
            }
            if (i + 1 >= args.length || !a.matches("--(sysfs-root|dev-root|onewire-dir)")) {
                err.println("pigeon: scan takes --json, --sysfs-root DIR, --dev-root DIR, --onewire-dir DIR; not '" + a
                    + "'");
                return USAGE;
            }
            Path dir = Path.of(args[++i]);
            roots = switch (a) {
                case "--sysfs-root" -> new io.pigeon.gateway.scan.Scanner.Roots(dir, roots.dev(), roots.oneWire());
                case "--dev-root" -> new io.pigeon.gateway.scan.Scanner.Roots(roots.sysfs(), dir, roots.oneWire());
                default -> new io.pigeon.gateway.scan.Scanner.Roots(roots.sysfs(), roots.dev(), dir);
            };
        }
        try (io.pigeon.drivers.Pi4jPlatform platform = io.pigeon.drivers.Pi4jPlatform.of("auto")) {
            io.pigeon.gateway.scan.ScanReport report = new io.pigeon.gateway.scan.Scanner(roots, platform).scan();
            out.print(json ? report.json() + "\n" : report.text());
        }
        return OK;
    }

    private static int runGateway(GatewayConfig cfg) {
        Gateway gateway;
        try {
            gateway = new Gateway(cfg);
        } catch (IOException | RuntimeException e) {
            Logger.error("cannot start: {}", e.getMessage());
            return FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            Logger.info("stopping (signal received)");
            try {
                gateway.close();
            } finally {
                stopped.countDown();
            }
            // A JVM stopped by SIGTERM exits with 143; a clean stop is 0 for systemd and for scripts, and a
            // runtime failure stays 1 (so that Restart=on-failure restarts it). halt() skips the other shutdown
            // hooks, so the log writers are closed (flushed) here first.
            try {
                org.tinylog.provider.ProviderRegistry.getLoggingProvider().shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(exitStatus); // 0 after a signal; 1 after a runtime failure
        }, "pigeon-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            gateway.start();
            // Nothing refers to the config's YAML library any more (see YamlLibrary): one full GC now unloads
            // its classes and gives their metadata back, with the start's garbage, instead of whenever the heap
            // first fills (on a heap this small, a few milliseconds, once).
            System.gc();
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Logger.error(e, "gateway failed");
            return FAILURE;
        }
        return OK;
    }
}
