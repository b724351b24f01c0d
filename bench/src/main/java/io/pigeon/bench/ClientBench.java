package io.pigeon.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.pigeon.mqtt.FileOutbox;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.mqtt.Topic;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;
import org.jspecify.annotations.Nullable;

/**
 * Pigeon's MQTT client, Eclipse Paho 1.2.5 and a raw socket writing pre-encoded packets (the ceiling),
 * interleaved round by round against one mosquitto on loopback. Writes the medians to a markdown file.
 *
 * <pre>java -jar bench/target/pigeon-bench.jar [--rounds 5] [--out docs/benchmarks.md] [--broker host:port]</pre>
 */
// "try": the clients' close() may throw InterruptedException (Paho's does), and the port probe's socket is
// only opened to be closed; both are the harness's own, on its own thread.
@SuppressWarnings("try")
public final class ClientBench {
    static final int QOS0_N = 200_000;
    static final int QOS1_N = 50_000;
    static final int FILE_N = 3_000;
    static final byte[] PAYLOAD = new byte[32];
    static final String TOPIC = "bench/pigeon/t";
    static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static String host = "127.0.0.1";
    static int port;
    static int idCounter;

    /** One measured run. */
    record Run(double msgsPerSecond, double cpuMicrosPerMsg, double allocPubThread, double allocAll) {
    }

    interface Client extends AutoCloseable {
        /** Publishes n QoS 0 messages, then a QoS 1 fence, and returns when the fence is acknowledged. */
        void qos0(int n) throws Exception;

        /** Publishes n QoS 1 messages and returns when all are acknowledged. */
        void qos1(int n) throws Exception;

        @Override
        void close() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--memory-child")) {
            host = args[2];
            port = Integer.parseInt(args[3]);
            double[] m = memoryOf(args[1]);
            System.out.println("MEMORY " + m[0] + " " + m[1] + " " + m[2] + " " + m[3]);
            System.exit(0);
        }
        int rounds = 5;
        Path out = Path.of("docs/benchmarks.md");
        String broker = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--broker" -> broker = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Process mosquitto = null;
        String mosquittoVersion = "external";
        if (broker == null) {
            port = freePort();
            mosquitto = new ProcessBuilder("mosquitto", "-p", String.valueOf(port)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            awaitPort(port);
            mosquittoVersion = version("mosquitto", "-h");
        } else {
            host = broker.substring(0, broker.lastIndexOf(':'));
            port = Integer.parseInt(broker.substring(broker.lastIndexOf(':') + 1));
        }
        try {
            Path tmp = Files.createTempDirectory("pigeon-bench");
            Map<String, double[]> memory = memory();
            Map<String, List<Run>> results = new LinkedHashMap<>();
            String[] kinds = {"raw", "pigeon", "paho"};
            // Warm-up: one untimed round of each, so the JIT has seen every path.
            for (String k : kinds) {
                try (Client c = client(k, 32, null)) {
                    c.qos0(QOS0_N / 4);
                    c.qos1(QOS1_N / 10);
                }
            }
            for (int r = 0; r < rounds; r++) {
                System.err.println("round " + (r + 1) + "/" + rounds);
                for (String k : kinds) {
                    results.computeIfAbsent(k + " qos0", x -> new ArrayList<>()).add(measure(k, 32, null, c -> c.qos0(QOS0_N), QOS0_N));
                }
                for (String k : kinds) {
                    int window = k.equals("paho") ? 10 : 32;
                    results.computeIfAbsent(k + " qos1 default", x -> new ArrayList<>()).add(measure(k, window, null, c -> c.qos1(QOS1_N), QOS1_N));
                }
                for (String k : kinds) {
                    results.computeIfAbsent(k + " qos1 1000", x -> new ArrayList<>()).add(measure(k, 1000, null, c -> c.qos1(QOS1_N), QOS1_N));
                }
                for (String k : new String[] {"pigeon", "paho"}) {
                    Path dir = Files.createTempDirectory(tmp, k);
                    int window = k.equals("paho") ? 10 : 32;
                    results.computeIfAbsent(k + " qos1 file", x -> new ArrayList<>()).add(measure(k, window, dir, c -> c.qos1(FILE_N), FILE_N));
                }
            }
            Map<String, double[]> stalls = new LinkedHashMap<>();
            if (mosquitto != null) {
                for (String k : new String[] {"pigeon", "paho"}) {
                    stalls.put(k, stall(k, mosquitto, Math.min(rounds, 3)));
                }
            }
            String report = report(rounds, results, memory, mosquittoVersion, stalls);
            Files.createDirectories(out.toAbsolutePath().getParent());
            // Other sections of the file (the gateway's benchmark) are kept.
            String rest = "";
            if (Files.exists(out)) {
                String old = Files.readString(out);
                int gateway = old.indexOf("\n## Gateway");
                rest = gateway >= 0 ? old.substring(gateway) : "";
            }
            Files.writeString(out, report + rest);
            System.out.print(report);
        } finally {
            if (mosquitto != null) {
                mosquitto.destroy();
            }
        }
    }

    interface Body {
        void run(Client c) throws Exception;
    }

    static Run measure(String kind, int window, @Nullable Path dir, Body body, int n) throws Exception {
        try (Client c = client(kind, window, dir)) {
            body.run(c); // warm-up on this very client: its buffers and outbox slots are in use from now on
            System.gc();
            long[] ids = THREADS.getAllThreadIds();
            long[] before = THREADS.getThreadAllocatedBytes(ids);
            long pubBefore = THREADS.getCurrentThreadAllocatedBytes();
            long cpuBefore = OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            body.run(c);
            long elapsed = System.nanoTime() - t0;
            long cpu = OS.getProcessCpuTime() - cpuBefore;
            long pub = THREADS.getCurrentThreadAllocatedBytes() - pubBefore;
            long[] after = THREADS.getThreadAllocatedBytes(ids);
            long all = 0;
            for (int i = 0; i < ids.length; i++) {
                if (before[i] >= 0 && after[i] >= 0) {
                    all += after[i] - before[i];
                }
            }
            // Threads the client started during the run count too.
            long[] now = THREADS.getAllThreadIds();
            for (long id : now) {
                if (Arrays.stream(ids).noneMatch(x -> x == id)) {
                    long b = THREADS.getThreadAllocatedBytes(id);
                    if (b > 0) {
                        all += b;
                    }
                }
            }
            return new Run(n / (elapsed / 1e9), cpu / 1000.0 / n, pub / (double) n, all / (double) n);
        }
    }

    static Client client(String kind, int window, @Nullable Path dir) throws Exception {
        return switch (kind) {
            case "raw" -> new Raw(window);
            case "pigeon" -> new Pigeon(window, dir);
            default -> new Paho(window, dir);
        };
    }

    // ---------------------------------------------------------------- the three clients

    static final class Pigeon implements Client {
        final MqttClient client;
        final Topic topic = Topic.of(TOPIC);

        Pigeon(int window, Path dir) throws Exception {
            MqttOptions.Builder o = MqttOptions.builder().host(host).port(port).clientId("bench-pigeon-" + idCounter++)
                .maxInflight(window).maxBuffered(100_000, 64L << 20);
            client = dir == null ? new MqttClient(o)
                : new MqttClient(o, new FileOutbox(dir, 64L << 20, 100_000, FileOutbox.Fsync.interval(1000)));
            client.connect(Duration.ofSeconds(10));
        }

        @Override
        public void qos0(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                // false: the socket is not taking data now and the message was dropped; a caller that wants
                // every message waits a little, as the other clients' blocking writes do, so only delivered ones
                // count (and waiting costs no CPU, as it does not for them)
                while (!client.publish(topic, PAYLOAD, 0, PAYLOAD.length, 0, false)) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
            }
            client.publish(topic, PAYLOAD, 0, PAYLOAD.length, 1, false);
            if (!client.flush(Duration.ofSeconds(60))) {
                throw new IllegalStateException("fence not acknowledged");
            }
        }

        @Override
        public void qos1(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                while (!client.publish(topic, PAYLOAD, 0, PAYLOAD.length, 1, false)) {
                    Thread.onSpinWait();
                }
            }
            if (!client.flush(Duration.ofMinutes(2))) {
                throw new IllegalStateException("not all acknowledged: " + client.stats());
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    static final class Paho implements Client {
        final MqttAsyncClient client;
        final Semaphore window;

        Paho(int window, Path dir) throws Exception {
            client = new MqttAsyncClient("tcp://" + host + ":" + port, "bench-paho-" + idCounter++,
                dir == null ? new MemoryPersistence() : new MqttDefaultFilePersistence(dir.toString()));
            this.window = new Semaphore(window);
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    Paho.this.window.release();
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMaxInflight(window);
            o.setCleanSession(true);
            client.connect(o).waitForCompletion(10_000);
        }

        @Override
        public void qos0(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                window.acquire();
                client.publish(TOPIC, PAYLOAD, 0, false);
            }
            window.acquire();
            client.publish(TOPIC, PAYLOAD, 1, false).waitForCompletion(60_000);
        }

        @Override
        public void qos1(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                window.acquire();
                client.publish(TOPIC, PAYLOAD, 1, false);
            }
            while (client.getPendingDeliveryTokens().length > 0) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() throws Exception {
            while (client.getPendingDeliveryTokens().length > 0) {
                Thread.sleep(1);
            }
            client.disconnect().waitForCompletion(10_000);
            client.close();
        }
    }

    /** Pre-encoded packets through a buffered socket: what the broker and the network allow. */
    static final class Raw implements Client {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;
        final byte[] qos0;
        final byte[][] qos1 = new byte[65_536][];
        final int window;

        Raw(int window) throws IOException {
            this.window = window;
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            out.write(connectPacket("bench-raw-" + idCounter++));
            out.flush();
            in.readFully(new byte[4]);
            qos0 = publishPacket(0, 0);
            for (int id = 1; id < 65_536; id++) {
                qos1[id] = publishPacket(1, id);
            }
        }

        /** CONNECT, clean session, keep-alive 60 s, written by hand: the baseline shares no code with the client. */
        static byte[] connectPacket(String clientId) {
            byte[] id = clientId.getBytes(StandardCharsets.US_ASCII);
            byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, (byte) id.length};
            byte[] p = new byte[2 + variable.length + id.length];
            p[0] = 0x10;
            p[1] = (byte) (variable.length + id.length);
            System.arraycopy(variable, 0, p, 2, variable.length);
            System.arraycopy(id, 0, p, 2 + variable.length, id.length);
            return p;
        }

        static byte[] publishPacket(int qos, int packetId) {
            byte[] t = TOPIC.getBytes(StandardCharsets.US_ASCII);
            int remaining = 2 + t.length + (qos > 0 ? 2 : 0) + PAYLOAD.length;
            byte[] p = new byte[2 + remaining];
            p[0] = (byte) (0x30 | qos << 1);
            p[1] = (byte) remaining; // under 128: one length byte
            p[3] = (byte) t.length;
            System.arraycopy(t, 0, p, 4, t.length);
            int at = 4 + t.length;
            if (qos > 0) {
                p[at++] = (byte) (packetId >>> 8);
                p[at++] = (byte) packetId;
            }
            System.arraycopy(PAYLOAD, 0, p, at, PAYLOAD.length);
            return p;
        }

        @Override
        public void qos0(int n) throws IOException {
            for (int i = 0; i < n; i++) {
                out.write(qos0);
            }
            out.write(qos1[1]);
            out.flush();
            in.readFully(new byte[4]);
        }

        @Override
        public void qos1(int n) throws IOException {
            int sent = 0;
            int acked = 0;
            byte[] ack = new byte[4];
            while (acked < n) {
                while (sent < n && sent - acked < window) {
                    out.write(qos1[sent % 65_535 + 1]);
                    sent++;
                }
                out.flush();
                in.readFully(ack);
                acked++;
            }
        }

        @Override
        public void close() throws IOException {
            out.write(new byte[] {(byte) 0xE0, 0});
            out.flush();
            socket.close();
        }
    }

    // ---------------------------------------------------------------- memory

    static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * Heap of the first client, per extra idle client, threads per client, RSS added by the first: each
     * client kind measured in a fresh JVM, so neither inherits classes or logging the other loaded.
     */
    static Map<String, double[]> memory() throws Exception {
        Map<String, double[]> m = new LinkedHashMap<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // java.util.logging output off for both, so that neither library's logging set-up is counted.
        Path julOff = Files.createTempFile("jul-off", ".properties");
        Files.writeString(julOff, ".level=OFF\nhandlers=\n");
        for (String kind : new String[] {"pigeon", "paho"}) {
            String[] heap = child(java, julOff, kind);
            // RSS with the whole heap touched in advance: otherwise the delta mostly counts garbage
            // landing on fresh heap pages, not what the client keeps.
            String[] rss = child(java, julOff, kind, "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch");
            m.put(kind, new double[] {Double.parseDouble(heap[1]), Double.parseDouble(heap[2]), Double.parseDouble(heap[3]),
                Double.parseDouble(rss[4])});
        }
        return m;
    }

    static String[] child(String java, Path julOff, String kind, String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java, "-Djava.util.logging.config.file=" + julOff));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ClientBench.class.getName(),
            "--memory-child", kind, host, String.valueOf(port)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        return out.lines().filter(l -> l.startsWith("MEMORY ")).findFirst()
            .orElseThrow(() -> new IllegalStateException("memory child failed: " + out)).split(" ");
    }

    static final int STALL_CAP_S = 30;

    /** Median over tries of {ms until the loss is reported, longest publish call in ms}; NaN when never reported. */
    static double[] stall(String kind, Process broker, int tries) throws Exception {
        double[] lost = new double[tries];
        double[] slowest = new double[tries];
        for (int t = 0; t < tries; t++) {
            double[] r = stallOnce(kind, broker);
            lost[t] = r[0];
            slowest[t] = r[1];
        }
        Arrays.sort(lost);
        Arrays.sort(slowest);
        return new double[] {lost[tries / 2], slowest[tries / 2]};
    }

    static double[] stallOnce(String kind, Process broker) throws Exception {
        long[] lostAt = {0};
        Object lock = new Object();
        Runnable lostNow = () -> {
            synchronized (lock) {
                if (lostAt[0] == 0) {
                    lostAt[0] = System.nanoTime();
                }
                lock.notifyAll();
            }
        };
        byte[] payload = new byte[4096];
        AutoCloseable client;
        java.util.function.Consumer<byte[]> publish;
        if (kind.equals("pigeon")) {
            MqttClient c = new MqttClient(MqttOptions.builder().host(host).port(port).clientId("bench-stall-" + idCounter++)
                .keepAlive(2).backoff(Duration.ofSeconds(30), Duration.ofSeconds(60)));
            c.addConnectionListener(new io.pigeon.mqtt.ConnectionListener() {
                @Override
                public void disconnected(Throwable cause) {
                    lostNow.run();
                }
            });
            c.connect(Duration.ofSeconds(10));
            Topic topic = Topic.of(TOPIC);
            publish = p -> c.publish(topic, p, 0, p.length, 0, false);
            client = c;
        } else {
            MqttAsyncClient c = new MqttAsyncClient("tcp://" + host + ":" + port, "bench-stall-" + idCounter++,
                new MemoryPersistence());
            c.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    lostNow.run();
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setKeepAliveInterval(2);
            o.setAutomaticReconnect(false);
            o.setMaxInflight(1000);
            c.connect(o).waitForCompletion(10_000);
            publish = p -> {
                try {
                    c.publish(TOPIC, p, 0, false);
                } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                    // "too many publishes in progress": the call returned, which is what is measured
                }
            };
            client = () -> c.disconnectForcibly(100, 100);
        }
        long[] inCallSince = {0};
        long[] slowest = {0};
        Thread publisher = new Thread(() -> {
            while (lostAt[0] == 0) {
                long t0 = System.nanoTime();
                inCallSince[0] = t0;
                publish.accept(payload);
                inCallSince[0] = 0;
                slowest[0] = Math.max(slowest[0], System.nanoTime() - t0);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the thread ends; whoever joins it may still ask
                    return;
                }
            }
        }, "bench-stall-publisher");
        publisher.setDaemon(true);
        publisher.start();
        Thread.sleep(1000);
        slowest[0] = 0;
        long stalledAt = System.nanoTime();
        signal(broker, "STOP");
        try {
            synchronized (lock) {
                long until = stalledAt + TimeUnit.SECONDS.toNanos(STALL_CAP_S);
                while (lostAt[0] == 0 && System.nanoTime() < until) {
                    lock.wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                }
            }
            long stuck = inCallSince[0];
            long worst = Math.max(slowest[0], stuck == 0 ? 0 : System.nanoTime() - Math.max(stuck, stalledAt));
            double lostMs = lostAt[0] == 0 ? Double.NaN : (lostAt[0] - stalledAt) / 1e6;
            return new double[] {lostMs, worst / 1e6};
        } finally {
            lostNow.run(); // stops the publisher
            signal(broker, "CONT");
            Thread closer = new Thread(() -> {
                try {
                    client.close();
                } catch (Exception e) {
                    // best effort
                }
            });
            closer.setDaemon(true);
            closer.start();
            closer.join(10_000);
            publisher.join(10_000);
        }
    }

    static void signal(Process p, String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start().waitFor();
    }

    static String stallCell(double ms) {
        return Double.isNaN(ms) ? "> " + STALL_CAP_S + " s" : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    static double[] memoryOf(String kind) throws Exception {
        List<Client> clients = new ArrayList<>();
        long heap0 = usedHeap();
        long rss0 = rssKb();
        int threads0 = Thread.activeCount();
        clients.add(client(kind, kind.equals("paho") ? 10 : 32, null));
        long heap1 = usedHeap();
        long rss1 = rssKb();
        for (int i = 1; i < 100; i++) {
            clients.add(client(kind, kind.equals("paho") ? 10 : 32, null));
        }
        long heap100 = usedHeap();
        int threads100 = Thread.activeCount();
        double[] r = {heap1 - heap0, (heap100 - heap1) / 99.0, (threads100 - threads0) / 100.0, rss1 - rss0};
        for (Client c : clients) {
            c.close();
        }
        return r;
    }

    // ---------------------------------------------------------------- report

    static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String report(int rounds, Map<String, List<Run>> r, Map<String, double[]> mem, String mosquitto,
                         Map<String, double[]> stalls) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Benchmarks\n\n");
        sb.append("## MQTT client: Pigeon vs Eclipse Paho 1.2.5 vs a raw socket\n\n");
        sb.append("Command: `./mvnw -B -q package -DskipTests && java -jar bench/target/pigeon-bench.jar --rounds ")
            .append(rounds).append("`\n\n");
        sb.append("Machine: ").append(machine()).append("; ").append(mosquitto).append(" on loopback, started by the harness; ")
            .append("client and broker share the cores. Date: ").append(LocalDate.now(java.time.ZoneOffset.UTC)).append(".\n\n");
        sb.append("Method: the three clients run interleaved in one JVM, round after round (one warm-up round first); ")
            .append("each cell is the median of ").append(rounds).append(" rounds. 32-byte payloads. QoS 0: ")
            .append(QOS0_N).append(" messages ended by a QoS 1 fence whose PUBACK stops the clock. QoS 1: ")
            .append(QOS1_N).append(" messages until the last PUBACK; file-backed: ").append(FILE_N)
            .append(" (Pigeon's FileOutbox with its default fsync every second; Paho's MqttDefaultFilePersistence). ")
            .append("CPU is the process's CPU time per message (the broker is another process). Allocation from ")
            .append("ThreadMXBean: the publishing thread, and all threads. Pigeon's publish never blocks: a QoS 0 ")
            .append("message the socket cannot take at once is refused (counted as dropped), so its caller here ")
            .append("parks 20 µs and retries, and only delivered messages count; the CPU row includes that waiting, ")
            .append("which the other clients spend blocked in the kernel.\n\n");
        sb.append("| | Pigeon | Paho 1.2.5 | raw socket (ceiling) | Pigeon / Paho | Pigeon / raw |\n|---|---|---|---|---|---|\n");
        row(sb, "QoS 0 msgs/s", r, "qos0", Run::msgsPerSecond, "%.0f");
        row(sb, "QoS 1 msgs/s, default window (Pigeon 32, Paho 10, raw 32)", r, "qos1 default", Run::msgsPerSecond, "%.0f");
        row(sb, "QoS 1 msgs/s, window 1000", r, "qos1 1000", Run::msgsPerSecond, "%.0f");
        row(sb, "QoS 1 msgs/s with file persistence", r, "qos1 file", Run::msgsPerSecond, "%.0f");
        row(sb, "client CPU µs per QoS 0 msg", r, "qos0", Run::cpuMicrosPerMsg, "%.2f");
        row(sb, "client CPU µs per QoS 1 msg (window 1000)", r, "qos1 1000", Run::cpuMicrosPerMsg, "%.2f");
        row(sb, "bytes allocated per QoS 0 msg, publishing thread", r, "qos0", Run::allocPubThread, "%.1f");
        row(sb, "bytes allocated per QoS 0 msg, all threads", r, "qos0", Run::allocAll, "%.1f");
        row(sb, "bytes allocated per QoS 1 msg, publishing thread", r, "qos1 1000", Run::allocPubThread, "%.1f");
        row(sb, "bytes allocated per QoS 1 msg, all threads", r, "qos1 1000", Run::allocAll, "%.1f");
        double[] p = mem.get("pigeon");
        double[] h = mem.get("paho");
        sb.append(String.format(Locale.ROOT, "| heap of the first connected client | %.0f KB | %.0f KB | — | %.2f | |%n", p[0] / 1024, h[0] / 1024, p[0] / h[0]));
        sb.append(String.format(Locale.ROOT, "| heap per additional idle client (100 connected) | %.1f KB | %.1f KB | — | %.2f | |%n", p[1] / 1024, h[1] / 1024, p[1] / h[1]));
        sb.append(String.format(Locale.ROOT, "| threads per client | %.2f | %.2f | 0 | | |%n", p[2], h[2]));
        sb.append(String.format(Locale.ROOT, "| RSS added by the first client | %.0f KB | %.0f KB | — | | |%n", p[3], h[3]));
        if (!stalls.isEmpty()) {
            double[] ps = stalls.get("pigeon");
            double[] hs = stalls.get("paho");
            sb.append(String.format(Locale.ROOT, "| broker stops reading (SIGSTOP) → connection reported lost, keep-alive 2 s | %s | %s | — | %s | |%n",
                stallCell(ps[0]), stallCell(hs[0]), ratio(ps[0], hs[0])));
            sb.append(String.format(Locale.ROOT, "| longest publish call meanwhile (4 KiB QoS 0 every ms) | %s | %s | — | %s | |%n",
                stallCell(ps[1]), stallCell(hs[1]), ratio(ps[1], hs[1])));
        }
        long[] sizes = classSizes();
        sb.append(String.format(Locale.ROOT, "| size of the client's classes | %d KB (%d KB in the jar) | %d KB (jar) | — | | |%n%n",
            sizes[0] / 1024, sizes[1] / 1024, sizes[2] / 1024));
        sb.append("Heap figures: each client kind in a fresh JVM; used heap after System.gc(), before and after ")
            .append("connecting the first client (so it includes whatever the JDK and the library initialise on first use, ")
            .append("with java.util.logging's output off for both), then 99 more idle ones. RSS: VmRSS before and after ")
            .append("the first connection, in a JVM whose 64 MB heap is touched in advance (-XX:+AlwaysPreTouch), so that ")
            .append("it counts what the client adds (classes, thread, buffers) rather than garbage landing on fresh heap ")
            .append("pages; it includes the JDK's networking set-up, about 1 MB, that any client pays. Class size: Pigeon's io.pigeon.mqtt classes, ")
            .append("uncompressed and as stored in the jar; Paho: its jar.");
        if (!stalls.isEmpty()) {
            sb.append(" Stall: the harness's mosquitto is frozen with SIGSTOP while the client publishes a 4 KiB QoS 0 ")
                .append("message every millisecond at keep-alive 2 s; the time until the client itself reports the ")
                .append("connection lost (Pigeon: ConnectionListener.disconnected; Paho: MqttCallback.connectionLost), and the ")
                .append("longest publish call from the freeze until then (a call still blocked counts as far as it got); ")
                .append("median of ").append(Math.min(rounds, 3)).append(" tries, at most ").append(STALL_CAP_S)
                .append(" s each.");
        }
        sb.append("\n");
        return sb.toString();
    }

    static void row(StringBuilder sb, String label, Map<String, List<Run>> r, String key,
                    java.util.function.ToDoubleFunction<Run> f, String fmt) {
        Double pig = r.containsKey("pigeon " + key) ? median(r.get("pigeon " + key), f) : null;
        Double paho = r.containsKey("paho " + key) ? median(r.get("paho " + key), f) : null;
        Double raw = r.containsKey("raw " + key) ? median(r.get("raw " + key), f) : null;
        sb.append("| ").append(label).append(" | ").append(cell(pig, fmt)).append(" | ").append(cell(paho, fmt)).append(" | ")
            .append(cell(raw, fmt)).append(" | ").append(ratio(pig, paho)).append(" | ")
            // a ratio to nearly nothing (the raw socket's allocation, its CPU) says nothing
            .append(raw != null && raw >= 0.5 ? ratio(pig, raw) : "").append(" |\n");
    }

    static String cell(Double v, String fmt) {
        return v == null ? "—" : String.format(Locale.ROOT, fmt, v);
    }

    static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? "" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    static long[] classSizes() throws IOException {
        long raw = 0;
        long compressed = 0;
        Path jar = Path.of(MqttClient.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        try (JarFile j = new JarFile(jar.toFile())) {
            var entries = j.entries();
            while (entries.hasMoreElements()) {
                var e = entries.nextElement();
                if (e.getName().startsWith("io/pigeon/mqtt/") && e.getName().endsWith(".class")) {
                    raw += e.getSize();
                    compressed += e.getCompressedSize();
                }
            }
        }
        long paho = 0;
        Path pahoJar = Path.of(System.getProperty("user.home"),
            ".m2/repository/org/eclipse/paho/org.eclipse.paho.client.mqttv3/1.2.5/org.eclipse.paho.client.mqttv3-1.2.5.jar");
        if (Files.exists(pahoJar)) {
            paho = Files.size(pahoJar);
        }
        return new long[] {raw, compressed, paho};
    }

    static String machine() throws IOException {
        String cpu = "?";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), Java "
            + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    static String version(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse(cmd[0]).trim();
        } catch (IOException | InterruptedException e) {
            return cmd[0];
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void awaitPort(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket(host, port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not start");
    }
}
