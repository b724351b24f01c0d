package io.pigeon.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.sim.Pty;
import io.pigeon.testing.Await;
import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Closer;
import io.pigeon.testing.Collector;
import io.pigeon.testing.EachBroker;
import io.pigeon.testing.FaultProxy;
import io.pigeon.testing.Ports;
import io.pigeon.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, gateway/target/pigeon-gateway.jar, run as users run it: in its own process. */
class GatewayJarIT {
    static final Path JAR = Path.of("target/pigeon-gateway.jar");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Closer closer = new Closer();
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path dir;


    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        closer.close();
    }

    static Process start(Path log, String... args) throws Exception {
        return command(log, args).start();
    }

    /** The gateway's jar with these arguments, its output (stdout and stderr) to {@code log}. */
    static ProcessBuilder command(Path log, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx32m", "-XX:+UseSerialGC", "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    private Process gateway(Path config) throws Exception {
        Process p = start(dir.resolve("gateway-" + processes.size() + ".log"), "run", "--config", config.toString());
        processes.add(p);
        return p;
    }

    private Path config(TestBroker broker, String tty, String extra) throws Exception {
        String yaml = """
            mqtt:
              host: %s
              port: %d
              client_id: pigeon-jar
              keepalive: 2
              topic_prefix: pigeon/jar
            %s
            platform: mock
            devices:
              - name: climate
                driver: serial-line
                port: %s
                qos: 1
              - name: relay
                driver: gpio-out
                pin: 27
                safe_state: "OFF"
            """.formatted(broker.host(), broker.port(), extra, tty);
        return Files.writeString(dir.resolve("pigeon.yaml"), yaml);
    }

    private static Collector.Message await(Collector got, String topic, String payload, Duration timeout)
        throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Collector.Message m = got.poll(Duration.ofMillis(50));
            if (m != null && m.topic().equals(topic) && m.payload().equals(payload)) {
                return m;
            }
        }
        throw new AssertionError("no '" + payload + "' on " + topic + " within " + timeout);
    }

    private static String run(Path dir, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "cli", ".log");
        Process p = start(log, args);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue() + "\n" + Files.readString(log);
    }

    @Test
    void helpVersionAndBadUsage() throws Exception {
        assertTrue(run(dir, "--version").startsWith("0\npigeon "));
        String help = run(dir, "--help");
        assertTrue(help.startsWith("0\nUsage: pigeon") && help.contains("check --config FILE"), help);
        assertTrue(run(dir, "frobnicate").startsWith("2\npigeon: unknown argument 'frobnicate'"));
        assertTrue(run(dir).startsWith("2\npigeon: missing command"));
    }

    @Test
    void badConfigFilesExitWithCode2AndSayWhatIsWrong() throws Exception {
        Path missing = dir.resolve("nope.yaml");
        assertEquals("2\npigeon: invalid config: " + missing + ": no such file\n", run(dir, "check", "--config", missing.toString()));
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
            mqtt:
              host: localhost
            devices:
              - name: relay
                driver: gpio-out
                pin: 27
                intial: "ON"
            """);
        assertEquals("2\npigeon: invalid config: " + bad + ":7: device 'relay', field 'intial': unknown setting"
            + " (did you mean 'initial'?)\n", run(dir, "check", "--config", bad.toString()));
        assertTrue(run(dir, "run", "--config", bad.toString()).startsWith("2\n"), "run refuses it too, before opening anything");
        Path syntax = Files.writeString(dir.resolve("syntax.yaml"), "mqtt: {host: [\n");
        assertTrue(run(dir, "check", "--config", syntax.toString()).contains("YAML syntax error"));
    }

    @EachBroker
    void killMinus9MakesTheBrokerPublishOfflineWithinOneAndAHalfKeepAlives(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/jar/availability");
        Process p = gateway(config(broker, pty.device(), ""));
        await(got, "pigeon/jar/availability", "online", Duration.ofSeconds(20));
        long t0 = System.nanoTime();
        p.destroyForcibly(); // SIGKILL
        p.waitFor(5, TimeUnit.SECONDS);
        await(got, "pigeon/jar/availability", "offline", Duration.ofSeconds(6));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // The socket closes with the process, so the broker usually knows at once; 1.5 × 2 s is the bound.
        assertTrue(ms <= 3000 + 500, "offline after " + ms + " ms");
    }

    @EachBroker
    void sigtermStopsCleanlyWithinFiveSeconds(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/jar/#");
        Path logFile = dir.resolve("logs/pigeon.log");
        Files.createDirectories(logFile.getParent());
        Path config = config(broker, pty.device(), "log: {level: debug, file: " + logFile + "}");
        Files.writeString(config, Files.readString(config).replace("  topic_prefix: pigeon/jar\n",
            "  topic_prefix: pigeon/jar\n  username: gw\n  password: Sup3r-Secret\n"));
        Process p = gateway(config);
        await(got, "pigeon/jar/relay/availability", "online", Duration.ofSeconds(20));
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM, as systemd stops a service
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "exited within 5 s");
        assertEquals(0, p.exitValue());
        await(got, "pigeon/jar/relay/availability", "offline", WAIT);
        await(got, "pigeon/jar/availability", "offline", WAIT);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(6));
        String log = Files.readString(logFile);
        assertTrue(log.contains("gateway started") && log.contains("gateway stopped"), "the rolling file log: " + log);
        String console = Files.readString(dir.resolve("gateway-0.log"));
        assertTrue(!log.contains("Sup3r-Secret") && !console.contains("Sup3r-Secret"), "no password in any log");
    }

    @EachBroker
    void sigtermStopsWithinFiveSecondsWhenTheBrokerHasStoppedReading(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/jar/#");
        int web = Ports.free();
        Path config = config(broker, pty.device(), "web: {listen: \"127.0.0.1:" + web + "\"}");
        Files.writeString(config, Files.readString(config).replace("port: " + broker.port(), "port: " + proxy.port())
            .replace("keepalive: 2", "keepalive: 30"));
        Process p = gateway(config);
        await(got, "pigeon/jar/relay/availability", "online", Duration.ofSeconds(20));
        proxy.stall(); // a frozen broker: nothing is read, the kernel's buffers fill
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            burst.append("temperature=").append(20 + i % 10).append(".5 humidity=").append(i).append(" note=")
                .append("x".repeat(100)).append('\n');
        }
        pty.write(burst.toString());
        // Its status page says when the burst waits in the gateway's outbox, unsent (QoS 1, nothing acknowledged).
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI status = java.net.URI.create("http://127.0.0.1:" + web + "/api/status");
        Await.until(Duration.ofSeconds(10), () -> {
            try {
                String json = http.send(java.net.http.HttpRequest.newBuilder(status).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"outbox\":(\\d+)").matcher(json);
                return m.find() && Integer.parseInt(m.group(1)) >= 1000;
            } catch (java.io.IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, () -> "the burst in the outbox");
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "exited within 5 s of SIGTERM with the broker frozen");
        assertEquals(0, p.exitValue());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * The journal dates every line: under systemd the console's lines leave the date out, the file's keep it. A
     * shell that inherited JOURNAL_STREAM from a service, its output elsewhere, keeps the dates.
     */
    @Test
    void underSystemdTheConsoleLeavesTheDateToTheJournal() throws Exception {
        TestBroker broker = closer.track(BrokerKind.MOQUETTE.start());
        Pty pty = closer.track(Pty.temporary());
        Path file = dir.resolve("pigeon.log");
        Path config = config(broker, pty.device(), "log: {file: " + file + "}");
        String dated = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} INFO: gateway started: .*";
        for (String stream : new String[] {"none", "inherited", "journal"}) {
            Path console = Files.createFile(dir.resolve("console-" + stream + ".log"));
            ProcessBuilder pb = command(console, "run", "--config", config.toString());
            if (!stream.equals("none")) {
                // As systemd sets it: the device and inode of the stream the output goes to (here, this file).
                String here = Files.getAttribute(console, "unix:dev") + ":" + Files.getAttribute(console, "unix:ino");
                pb.environment().put("JOURNAL_STREAM", stream.equals("journal") ? here : "8:12345");
            }
            Process p = pb.start();
            processes.add(p);
            Await.until(WAIT, () -> read(console).contains("gateway started"), () -> "started: " + read(console));
            p.destroy();
            assertTrue(p.waitFor(5, TimeUnit.SECONDS));
            String started = read(console).lines().filter(l -> l.contains("gateway started")).findFirst().orElseThrow();
            assertTrue(stream.equals("journal") ? started.startsWith("INFO: gateway started: ") : started.matches(dated),
                stream + ": " + started);
        }
        assertEquals(3, read(file).lines().filter(l -> l.matches(dated)).count(), "the file keeps its dates: " + read(file));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A runtime failure exits 1, so that systemd's Restart=on-failure restarts the gateway (it exited 0). */
    @Test
    void aSecondGatewayOnTheSameOutboxRefusesToStartWithExit1AndCheckWarns() throws Exception {
        // A runtime failure, which check cannot foresee: exit 1, so that systemd's Restart=on-failure restarts it.
        // (A bad discovery_prefix was the example before; check now refuses it, exit 2.)
        TestBroker broker = closer.track(BrokerKind.MOQUETTE.start());
        Pty pty = closer.track(Pty.temporary());
        Path config = config(broker, pty.device(), "  outbox_dir: " + dir.resolve("outbox"));
        Collector got = Collector.watch(broker, closer, "pigeon/jar/availability");
        Process first = gateway(config);
        await(got, "pigeon/jar/availability", "online", Duration.ofSeconds(20));
        Path log = dir.resolve("second.log");
        Process second = start(log, "run", "--config", config.toString());
        processes.add(second);
        assertTrue(second.waitFor(20, TimeUnit.SECONDS), "the second gateway gave up");
        assertEquals(1, second.exitValue());
        String said = Files.readString(log);
        assertTrue(said.contains("is in use by another process (pid " + first.pid() + ")"), said);
        String check = run(dir, "check", "--config", config.toString());
        assertTrue(check.startsWith("0\n") && check.contains("warning: outbox_dir " + dir.resolve("outbox")
            + " is in use by another process (pid " + first.pid() + ")"), check);
        assertTrue(first.isAlive(), "the first one runs on");
    }

    @EachBroker
    void readingsInTheFileOutboxSurviveKillMinus9AndAreDeliveredAfterRestart(TestBroker broker) throws Exception {
        broker.stop(); // unreachable while the readings come in
        Pty pty = closer.track(Pty.temporary());
        Path config = config(broker, pty.device(), "  outbox_dir: " + dir.resolve("outbox"));
        Path log = dir.resolve("gateway-" + processes.size() + ".log");
        Process p = gateway(config);
        long started = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("device 'climate' is online")) { // reading, though the broker is down
            assertTrue(System.nanoTime() < started && p.isAlive(), "the gateway did not open its device: "
                + Files.readString(log));
            Thread.sleep(50);
        }
        int total = 50;
        for (int i = 0; i < total; i++) {
            pty.write((i == 0 ? "\n" : "") + "n=" + i + "\n"); // the first line after an open is dropped
        }
        Thread.sleep(1500); // the outbox forces its files to storage once a second: then kill -9
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        broker.start();
        Collector got = Collector.watch(broker, closer, "pigeon/jar/climate/n");
        gateway(config);
        Set<Integer> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.size() < total && System.nanoTime() < deadline) {
            Collector.Message m = got.poll(Duration.ofMillis(200));
            if (m != null) {
                seen.add(Integer.parseInt(m.payload()));
            }
        }
        assertEquals(total, seen.size(), "delivered after the restart: " + seen + "; log: "
            + Files.readString(dir.resolve("gateway-1.log")));
        assertTrue(Files.readString(dir.resolve("gateway-1.log")).contains("from the last run will be sent first"));
    }
}
