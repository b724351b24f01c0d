package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOutboxTest {
    @TempDir
    Path dir;

    private static final byte[] TOPIC = "pigeon/test/t".getBytes(UTF_8);

    private static int add(Outbox o, String payload, int qos) {
        byte[] p = payload.getBytes(UTF_8);
        return o.append(TOPIC, TOPIC.length, p, 0, p.length, qos, false);
    }

    private static List<String> payloads(Outbox o) {
        List<String> out = new ArrayList<>();
        for (int h = o.first(); h >= 0; h = o.next(h)) {
            byte[] d = o.data(h);
            out.add(new String(d, o.topicLength(h), o.payloadLength(h), UTF_8));
        }
        return out;
    }

    private FileOutbox open() throws IOException {
        return new FileOutbox(dir, 1 << 20, 10_000, FileOutbox.Fsync.interval(1000));
    }

    @Test
    void unacknowledgedRecordsSurviveAReopenInOrder() throws IOException {
        try (FileOutbox o = open()) {
            int[] h = new int[6];
            for (int i = 0; i < 6; i++) {
                h[i] = add(o, "m" + i, 1);
            }
            o.remove(h[1]);
            o.remove(h[4]);
            assertEquals(List.of("m0", "m2", "m3", "m5"), payloads(o));
        }
        try (FileOutbox o = open()) {
            assertEquals(4, o.recovered());
            assertEquals(List.of("m0", "m2", "m3", "m5"), payloads(o));
            assertEquals(4L * (TOPIC.length + 2), o.bytes());
            add(o, "m6", 1);
        }
        try (FileOutbox o = open()) {
            assertEquals(List.of("m0", "m2", "m3", "m5", "m6"), payloads(o), "new records follow the recovered ones");
        }
    }

    @Test
    void aTornTailLosesOnlyTheLastRecordAtEveryCutPoint() throws IOException {
        try (FileOutbox o = open()) {
            add(o, "first", 1);
            add(o, "second", 1);
            add(o, "third-and-last", 1);
        }
        Path seg = segmentFile();
        byte[] whole = Files.readAllBytes(seg);
        int lastRecord = 8 + 12 + TOPIC.length + "third-and-last".length();
        for (int cut = whole.length - lastRecord; cut < whole.length; cut++) {
            Files.write(seg, java.util.Arrays.copyOf(whole, cut));
            try (FileOutbox o = open()) {
                assertEquals(List.of("first", "second"), payloads(o), "cut at " + cut);
            }
        }
        for (int i = whole.length - lastRecord; i < whole.length; i++) {
            byte[] corrupt = whole.clone();
            corrupt[i] ^= 0x5A;
            Files.write(seg, corrupt);
            try (FileOutbox o = open()) {
                assertEquals(List.of("first", "second"), payloads(o), "byte " + i + " corrupted");
                assertEquals(1, o.tornRecords());
            }
        }
    }

    @Test
    void appendingAfterATornTailContinuesFromTheGoodPrefix() throws IOException {
        try (FileOutbox o = open()) {
            add(o, "a", 1);
            add(o, "b", 1);
        }
        Path seg = segmentFile();
        byte[] whole = Files.readAllBytes(seg);
        Files.write(seg, java.util.Arrays.copyOf(whole, whole.length - 3));
        try (FileOutbox o = open()) {
            add(o, "c", 1);
        }
        try (FileOutbox o = open()) {
            assertEquals(List.of("a", "c"), payloads(o));
        }
    }

    @Test
    void acknowledgedSegmentsAreDeleted() throws IOException {
        try (FileOutbox o = new FileOutbox(dir, 64 * 1024, 100_000, FileOutbox.Fsync.never())) {
            byte[] big = new byte[1000];
            List<Integer> handles = new ArrayList<>();
            int h;
            while ((h = o.append(TOPIC, TOPIC.length, big, 0, big.length, 1, false)) >= 0) {
                handles.add(h);
            }
            // Live records may take the bound less three segments of an eighth each, their headers included.
            assertEquals((64 * 1024 - 3 * 8192) / (8 + 12 + TOPIC.length + big.length), handles.size(),
                "bounded by bytes on disk");
            assertTrue(o.segmentCount() >= 2);
            for (int handle : handles) {
                o.remove(handle);
            }
            assertEquals(1, o.segmentCount(), "only the active segment remains");
            assertEquals(0, o.size());
        }
    }

    @Test
    void aStuckMessageIsCopiedForwardSoDiskUseStaysBounded() throws IOException {
        try (FileOutbox o = new FileOutbox(dir, 64 * 1024, 100_000, FileOutbox.Fsync.never())) {
            int stuck = add(o, "stuck", 1);
            byte[] p = new byte[2000];
            for (int i = 0; i < 2000; i++) {
                int h = o.append(TOPIC, TOPIC.length, p, 0, p.length, 1, false);
                o.remove(h);
            }
            long onDisk;
            try (Stream<Path> files = Files.list(dir)) {
                onDisk = files.mapToLong(f -> f.toFile().length()).sum();
            }
            assertTrue(onDisk < 5L * 64 * 1024, "disk use " + onDisk);
            assertEquals(List.of("stuck"), payloads(o));
            assertEquals(stuck, o.first());
        }
        try (FileOutbox o = open()) {
            assertEquals(List.of("stuck"), payloads(o));
        }
    }

    @Test
    void anUnusableDirectoryIsAClearErrorAtStart() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        IOException e = assertThrows(IOException.class,
            () -> new FileOutbox(file.resolve("outbox"), 1 << 20, 100, FileOutbox.Fsync.always()));
        assertTrue(e.getMessage().contains("outbox directory " + file.resolve("outbox")), e.getMessage());
        e = assertThrows(IOException.class,
            () -> new FileOutbox(Path.of("/proc/pigeon-outbox"), 1 << 20, 100, FileOutbox.Fsync.always()));
        assertTrue(e.getMessage().contains("/proc/pigeon-outbox"), e.getMessage());
        if (!"root".equals(System.getProperty("user.name"))) {
            Path ro = Files.createDirectory(dir.resolve("ro"));
            assertTrue(ro.toFile().setWritable(false));
            assertThrows(IOException.class, () -> new FileOutbox(ro, 1 << 20, 100, FileOutbox.Fsync.always()));
        }
    }

    @Test
    void fullOutboxAppliesTheClientsPolicyWithCounters() throws Exception {
        MqttOptions.Builder options = MqttOptions.builder().host("127.0.0.1").port(1).clientId("full")
            .backoff(java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10));
        try (FileOutbox o = new FileOutbox(dir, 2048, 10, FileOutbox.Fsync.never());
             MqttClient c = new MqttClient(options, o)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(c.publish("q0", ("z" + i).getBytes(UTF_8), 0, false));
            }
            for (int i = 0; i < 12; i++) {
                assertEquals(i < 10, c.publish("q1", ("m" + i).getBytes(UTF_8), 1, false), "message " + i);
            }
            MqttStats s = c.stats();
            assertEquals(10, s.buffered());
            assertEquals(3, s.droppedQos0());
            assertEquals(2, s.rejected());
            assertFalse(payloads(o).contains("z0"));
        }
    }

    /** The once-a-second fsync holds in every state: the client gives the outbox its idle calls while away. */
    @Test
    void theOutboxGetsItsIdleCallsWhileTheBrokerIsAway() throws Exception {
        MemoryOutbox real = new MemoryOutbox(100, 10_000);
        java.util.concurrent.atomic.AtomicInteger idles = new java.util.concurrent.atomic.AtomicInteger();
        Outbox counting = (Outbox) java.lang.reflect.Proxy.newProxyInstance(Outbox.class.getClassLoader(),
            new Class<?>[] {Outbox.class}, (proxy, method, args) -> {
                if (method.getName().equals("idle")) {
                    idles.incrementAndGet();
                }
                return method.invoke(real, args);
            });
        int deadPort;
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            deadPort = taken.getLocalPort(); // closed again: nothing listens there
        }
        MqttOptions.Builder options = MqttOptions.builder().host("127.0.0.1").port(deadPort).clientId("away")
            .backoff(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(10));
        try (MqttClient c = new MqttClient(options, counting)) {
            c.start();
            assertTrue(c.publish("q1", "kept".getBytes(UTF_8), 1, false));
            io.pigeon.testing.Await.until(java.time.Duration.ofSeconds(10), () -> idles.get() >= 2,
                () -> "idle calls while disconnected: " + idles.get());
            assertFalse(c.isConnected());
        }
    }

    private Path segmentFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> segs = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
            assertEquals(1, segs.size());
            return segs.get(0);
        }
    }
}
