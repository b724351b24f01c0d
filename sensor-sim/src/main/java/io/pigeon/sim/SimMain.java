package io.pigeon.sim;

import io.pigeon.gateway.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.tinylog.configuration.Configuration;

/** {@code pigeon-sim demo | devices | load}: see {@link #HELP}. */
public final class SimMain {
    static final String HELP = """
        Usage: pigeon-sim <command> [options]   (pigeon-sim --version: the version)

          demo     [--broker HOST:PORT | --port N] [--scenario FILE] [--duration 60s] [--no-view]
                   [--web-port 8080] [--fault DEVICE:FAULT[:FOR][@AT]]...
                   an embedded broker (localhost:1883 unless --broker or --port), simulated devices of every
                   kind and the real gateway, with a live view and the status page on http://localhost:8080/
                   (--web-port 0: no page); Ctrl-C stops it. Faults: unplug, garbage,
                   partial, checksum, stall (serial devices), stop (room, light, cellar), fail (dht), bounce (door);
                   e.g. --fault gps:unplug:10s@30s. While it runs, faults also come from MQTT:
                   <root>/sim/fault {"device":"gps","fault":"unplug","for":"10s"}
          scan     [--json] [--scenario FILE]
                   pigeon scan on the simulated board: the scenario's serial devices (with by-id links and USB
                   identities), I2C chips, 1-Wire, IIO, hwmon, GPIO and PWM chips, and a config entry for each
          devices  --config FILE
                   only the simulated serial devices of a scenario, on pseudo-terminals; prints the config
                   entries a separately started gateway should use
          load     --devices N --rate R [--duration 30s] [--broker HOST:PORT] [--gateway JAR] [--web-port N]
                   N serial devices writing R time-stamped lines/s each; with --gateway, runs that gateway (a
                   jar, or the packaged launcher deploy/target/pigeon with its options and class-data archive)
                   against them and reports end-to-end latency (p50/p99), readings/s and the gateway's memory;
                   with --web-port, the gateway serves its status page there and one client reads it as a
                   browser does (the page, its history requests, the event stream for the whole run)
          isolation [--presses 100]
                   the gateway with four DS18B20s whose reads block 750 ms and a button pressed every 300 ms:
                   reports lost button edges and edge-to-publish latency (docs/benchmarks.md)
        """;

    private SimMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    @SuppressWarnings("SystemConsoleNull") // Java 17 is the target: a null console means no terminal to redraw
    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.print(HELP);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            System.out.println("pigeon-sim " + io.pigeon.gateway.cli.Main.version());
            return 0;
        }
        Options o = Options.parse(args);
        if (o == null) {
            return 2;
        }
        switch (args[0]) {
            case "demo" -> {
                quietLogging(o.view ? "warn" : "info");
                String scenario = o.scenario == null ? Demo.resource("/demo-scenario.yaml") : Files.readString(o.scenario);
                Demo demo;
                try {
                    demo = new Demo(o.broker, o.port, scenario, o.webPort == null ? 8080 : o.webPort == 0 ? -1 : o.webPort);
                    for (String f : o.faults) {
                        demo.simulation().schedule(Simulation.parseFault(f));
                    }
                } catch (IOException | ConfigException | IllegalArgumentException e) {
                    System.err.println("pigeon-sim: " + e.getMessage());
                    return 1;
                }
                CountDownLatch done = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    demo.close();
                    done.countDown();
                    Runtime.getRuntime().halt(0);
                }, "pigeon-sim-stop"));
                demo.start();
                demo.runView(System.out, o.duration, o.view && System.console() != null);
                System.exit(0);
                return 0;
            }
            case "scan" -> {
                quietLogging("warn");
                String scenario = o.scenario == null ? Demo.resource("/demo-scenario.yaml") : Files.readString(o.scenario);
                System.out.print(scan(scenario, o.json));
                return 0;
            }
            case "devices" -> {
                quietLogging("info");
                if (o.config == null) {
                    System.err.println("pigeon-sim: devices needs --config FILE (a scenario, see demo-scenario.yaml)");
                    return 2;
                }
                Simulation sim = Simulation.fromScenario(Files.readString(o.config), null);
                Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
                sim.start();
                System.out.println("# simulated serial devices are running; add these to the gateway's devices:");
                System.out.print(sim.serialConfig());
                System.out.flush();
                new CountDownLatch(1).await();
                return 0;
            }
            case "load" -> {
                quietLogging("warn");
                return LoadGenerator.run(o);
            }
            case "isolation" -> {
                quietLogging("warn");
                int code = IsolationBench.run(o.presses);
                System.exit(code); // the embedded broker's threads would keep the JVM alive
                return code;
            }
            default -> {
                System.err.println("pigeon-sim: unknown command '" + args[0] + "'\n" + HELP);
                return 2;
            }
        }
    }

    /** The scan of a simulated board made from {@code scenario}, as text or JSON; the simulation is closed after. */
    static String scan(String scenario, boolean json) throws IOException {
        try (io.pigeon.drivers.Pi4jPlatform platform = io.pigeon.drivers.Pi4jPlatform.simulated(
            new io.pigeon.drivers.sim.SimulatedI2cProvider(), new io.pigeon.drivers.sim.SimulatedSpiProvider())) {
            Simulation sim = Simulation.fromScenario(scenario, platform);
            try {
                io.pigeon.gateway.scan.ScanReport report = new io.pigeon.gateway.scan.Scanner(
                    new io.pigeon.gateway.scan.Scanner.Roots(sim.sysfsRoot(), sim.devRoot(), sim.oneWireDir()),
                    platform).scan();
                return json ? report.json() + "\n" : report.text();
            } finally {
                sim.close();
            }
        }
    }

    static void quietLogging(String level) {
        if (!Configuration.isFrozen()) {
            Configuration.set("writer", "console");
            Configuration.set("writer.format", "{date:HH:mm:ss} {level}: {message}");
            Configuration.set("writer.stream", "err");
            Configuration.set("level", level);
            Configuration.set("level@io.moquette", "off");
            Configuration.set("level@io.netty", "off");
            Configuration.set("level@com.pi4j", "off");
        }
        org.tinylog.jul.JulTinylogBridge.activate();
    }

    /** Command-line options of all commands. */
    static final class Options {
        String broker;
        int port = 1883;
        /** The status page's port: the demo's default is 8080; {@code load} serves it only when given. */
        Integer webPort;
        Path scenario;
        Path config;
        Duration duration;
        boolean view = true;
        boolean json;
        int devices = 20;
        int rate = 10;
        int presses = 100;
        Path gateway;
        java.util.List<String> faults = new java.util.ArrayList<>();

        static @Nullable Options parse(String[] args) {
            Options o = new Options();
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                boolean takes = true;
                try {
                    switch (a) {
                        case "--broker" -> o.broker = v;
                        case "--port" -> o.port = Integer.parseInt(v);
                        case "--web-port" -> {
                            o.webPort = Integer.parseInt(v);
                            if (o.webPort < 0 || o.webPort > 65_535) {
                                throw new NumberFormatException();
                            }
                        }
                        case "--scenario" -> o.scenario = Path.of(v);
                        case "--config" -> o.config = Path.of(v);
                        case "--duration" -> o.duration = io.pigeon.drivers.Settings.parseDuration(v);
                        case "--devices" -> o.devices = Integer.parseInt(v);
                        case "--rate" -> o.rate = Integer.parseInt(v);
                        case "--presses" -> o.presses = Integer.parseInt(v);
                        case "--gateway" -> o.gateway = Path.of(v);
                        case "--fault" -> o.faults.add(v);
                        case "--no-view" -> {
                            o.view = false;
                            takes = false;
                        }
                        case "--json" -> {
                            o.json = true;
                            takes = false;
                        }
                        default -> {
                            System.err.println("pigeon-sim: unknown option '" + a + "'\n" + HELP);
                            return null;
                        }
                    }
                } catch (NumberFormatException e) {
                    System.err.println("pigeon-sim: " + a + " needs a number, not '" + v + "'");
                    return null;
                }
                if (takes) {
                    if (v == null) {
                        System.err.println("pigeon-sim: " + a + " needs a value");
                        return null;
                    }
                    i++;
                }
            }
            return o;
        }
    }
}
