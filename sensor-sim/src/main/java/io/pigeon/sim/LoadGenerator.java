package io.pigeon.sim;

import io.pigeon.broker.EmbeddedBroker;
import io.pigeon.drivers.sim.Pty;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * {@code pigeon-sim load}: N serial devices on pseudo-terminals, each writing R lines a second stamped
 * with the wall-clock time in microseconds ({@code seq=1 ts=...}); a subscriber computes the latency
 * from the line being written to the reading arriving from the broker. With {@code --gateway JAR} it
 * also runs that gateway (-Xmx32m, Serial GC) and reports its resident memory.
 */
final class LoadGenerator {
    static final String[] LAUNCHER_OPTIONS = System.getProperty("pigeon.load.jvm",
        "-Xms4m -Xmn1m -Xss256k -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=12m -XX:CICompilerCount=1")
        .split(" ");
    private LoadGenerator() {
    }

    static long nowMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    static int run(SimMain.Options o) throws Exception {
        EmbeddedBroker broker = null;
        String host = "127.0.0.1";
        int port;
        if (o.broker == null) {
            broker = new EmbeddedBroker(0);
            port = broker.port();
        } else {
            int colon = o.broker.lastIndexOf(':');
            host = colon < 0 ? o.broker : o.broker.substring(0, colon);
            port = colon < 0 ? 1883 : Integer.parseInt(o.broker.substring(colon + 1));
        }
        Path dir = Files.createTempDirectory("pigeon-load");
        List<Pty> ptys = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Also on Ctrl-C or SIGTERM: the pty links and the folder go.
        Thread cleanup = new Thread(() -> {
            ptys.forEach(Pty::close);
            Simulation.deleteTree(dir);
        }, "pigeon-load-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        StringBuilder config = new StringBuilder("""
            mqtt:
              host: %s
              port: %d
              client_id: pigeon-load
              topic_prefix: pigeon/load
            platform: mock
            health: {interval: 5s}
            %sdevices:
            """.formatted(host, port, o.webPort == null ? "" : "web: {listen: \"127.0.0.1:" + o.webPort + "\"}\n"));
        for (int i = 0; i < o.devices; i++) {
            Pty p = Pty.open(dir.resolve("ttyLOAD" + i));
            ptys.add(p);
            config.append("  - {name: load").append(i).append(", driver: serial-line, port: ").append(p.link())
                .append(", baud: 115200, parse: kv, qos: ").append(Integer.getInteger("pigeon.load.qos", 0)).append("}\n");
        }
        Path configFile = Files.writeString(dir.resolve("pigeon.yaml"), config.toString());
        Process gateway = null;
        if (o.gateway != null && !o.gateway.toString().endsWith(".jar")) {
            // The packaged launcher itself (deploy/target/pigeon), with its jar beside it, as the service runs
            // from its second start on: a first run writes the list of the classes it loads, then 'check' makes
            // the class-data archive from it. What a Pi runs, options and all.
            Path jar = o.gateway.toAbsolutePath().resolveSibling("pigeon-gateway.jar");
            Process first = launch(o.gateway, jar, dir, dir.resolve("learn.log"), "run", "--config", configFile.toString());
            try {
                Thread.sleep(4000);
                for (int i = 0; i < 20; i++) {
                    stamp(ptys, -1);
                    Thread.sleep(100);
                }
            } finally {
                first.destroy();
                first.waitFor(10, TimeUnit.SECONDS);
            }
            launch(o.gateway, jar, dir, dir.resolve("check.log"), "check", "--config", configFile.toString())
                .waitFor(60, TimeUnit.SECONDS);
            gateway = launch(o.gateway, jar, dir, dir.resolve("gateway.log"), "run", "--config", configFile.toString());
        } else if (o.gateway != null) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC"));
            // The launcher's other options for a small board (see deploy/src/deb/files/pigeon).
            cmd.addAll(List.of(LAUNCHER_OPTIONS));
            cmd.addAll(List.of("-jar", o.gateway.toString(), "run", "--config", configFile.toString()));
            gateway = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile()).start();
        } else {
            System.out.println("# start the gateway with: java -Xmx32m -XX:+UseSerialGC -jar pigeon-gateway.jar run --config " + configFile);
        }
        Recorder latency = new Recorder(3);
        AtomicLong received = new AtomicLong();
        // Readings count by the stamp of their line: only lines written in the measured window, wherever
        // their readings arrive. (Counting arrivals from a moment on once lost the readings of the window's
        // first lines that arrived before that moment: the "missing" 0 to 20 of an earlier note.)
        AtomicLong measuredFrom = new AtomicLong(Long.MAX_VALUE);
        MqttClient sub = new MqttClient(MqttOptions.builder().host(host).port(port).clientId("pigeon-load-sub")
            .maxPacketSize(1 << 20));
        var subscribed = sub.subscribe("pigeon/load/+/ts", 0, (t, p, q, r) -> {
            long ts = Long.parseLong(new String(p, StandardCharsets.US_ASCII));
            if (ts >= measuredFrom.get()) {
                latency.recordValue(Math.max(0, nowMicros() - ts));
                received.incrementAndGet();
            }
        });
        sub.connect(Duration.ofSeconds(20));
        subscribed.get(20, TimeUnit.SECONDS); // no reading is missed for want of a SUBACK
        Duration duration = o.duration == null ? Duration.ofSeconds(30) : o.duration;
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, o.rate);
        Thread.sleep(gateway != null ? 4000 : 0);
        PageReader page = null;
        if (o.webPort != null) {
            page = new PageReader(o.webPort);
            page.start();
        }
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long end = warmupEnd + duration.toNanos();
        long seq = 0;
        long next = System.nanoTime();
        boolean measuring = false;
        long sent = 0;
        while (System.nanoTime() < end) {
            if (!measuring && System.nanoTime() >= warmupEnd) {
                measuring = true;
                measuredFrom.set(nowMicros());
            }
            stamp(ptys, seq);
            seq++;
            if (measuring) {
                sent += ptys.size();
            }
            next += periodNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
        Thread.sleep(500);
        var h = latency.getIntervalHistogram();
        long got = received.get();
        String rss = gateway == null ? "n/a" : rss(gateway.pid());
        String heap = gateway == null ? "n/a" : heapAfterFullGc(gateway.pid());
        System.out.printf(Locale.ROOT, "devices %d, rate %d lines/s each, %d s measured after 5 s warm-up%n",
            o.devices, o.rate, duration.toSeconds());
        System.out.printf(Locale.ROOT, "readings/s %.1f (sent %d, received %d)%n", got / (double) duration.toSeconds(), sent, got);
        System.out.printf(Locale.ROOT, "latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
        System.out.println("gateway RSS " + rss + ", heap after a full GC " + heap);
        if (page != null) {
            System.out.println("status page: " + page.events() + " events read by one page client");
            page.close();
        }
        if (gateway != null) {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
        sub.close();
        ptys.forEach(Pty::close);
        Simulation.deleteTree(dir);
        if (broker != null) {
            broker.close();
        }
        return 0;
    }

    /** One line to every device: its sequence number and the wall-clock time of the write, in microseconds. */
    private static void stamp(List<Pty> ptys, long seq) {
        for (Pty p : ptys) {
            p.write(("seq=" + seq + " ts=" + nowMicros() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * The launcher with its output to {@code log}, and JOURNAL_STREAM set to that file's device and inode, as
     * systemd sets it for the service whose output is the journal: the console's lines then carry no date, and
     * the gateway loads no date formatting for them, as on a Pi.
     */
    private static Process launch(Path launcher, Path jar, Path dir, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        Files.deleteIfExists(log);
        Files.createFile(log);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PIGEON_JAR", jar.toString());
        pb.environment().put("PIGEON_STATE_DIR", dir.toString());
        pb.environment().put("PIGEON_DEFAULTS", dir.resolve("no-defaults").toString());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("JOURNAL_STREAM", Files.getAttribute(log, "unix:dev") + ":" + Files.getAttribute(log, "unix:ino"));
        return pb.start();
    }

    static String rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return line.substring(6).trim();
                }
            }
        } catch (IOException e) {
            // not on Linux
        }
        return "?";
    }

    /** Asks the gateway's JVM for a full GC, then for its heap use (jcmd GC.run, GC.heap_info). */
    static String heapAfterFullGc(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(20, TimeUnit.SECONDS);
            Process p = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(20, TimeUnit.SECONDS);
            long kb = 0;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("generation\\s+total \\d+K, used (\\d+)K").matcher(out);
            while (m.find()) {
                kb += Long.parseLong(m.group(1));
            }
            return kb > 0 ? kb + " kB" : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
