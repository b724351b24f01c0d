package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator, a full disk or a failing SD card can do to the disk outbox, and what it keeps. */
class FileOutboxRecoveryTest {
    private static final byte[] TOPIC = "pigeon/t".getBytes(UTF_8);

    @TempDir
    Path dir;

    private static byte[] payload(int i) {
        return String.format("record-%08d-%s", i, "x".repeat(i % 37)).getBytes(UTF_8);
    }

    private static int append(FileOutbox o, int i) {
        byte[] p = payload(i);
        return o.append(TOPIC, TOPIC.length, p, 0, p.length, 1, false);
    }

    /** The record numbers held, in order, each checked byte for byte. */
    private static List<Integer> numbers(FileOutbox o) {
        List<Integer> out = new ArrayList<>();
        for (int h = o.first(); h >= 0; h = o.next(h)) {
            byte[] d = o.data(h);
            String topic = new String(d, 0, o.topicLength(h), UTF_8);
            String text = new String(d, o.topicLength(h), o.payloadLength(h), UTF_8);
            assertEquals("pigeon/t", topic, "topic of the record after " + out.size() + " good ones");
            int n = Integer.parseInt(text.substring(7, 15));
            assertEquals(new String(payload(n), UTF_8), text, "payload of record " + n);
            out.add(n);
        }
        return out;
    }

    private long onDisk() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void assertContiguous(List<Integer> got, int from, int to) {
        assertEquals(to - from, got.size(), "records " + from + ".." + to);
        for (int i = 0; i < got.size(); i++) {
            assertEquals(from + i, got.get(i));
        }
    }

    @Test
    void loweringTheBoundKeepsTheNewestRecordsThatFitByteForByte() throws IOException {
        int n = 60_000;
        try (FileOutbox o = new FileOutbox(dir, 8 << 20, 1_000_000, FileOutbox.Fsync.never())) {
            for (int i = 0; i < n; i++) {
                assertTrue(append(o, i) >= 0, "record " + i);
            }
        }
        long dropped;
        int kept;
        try (FileOutbox o = new FileOutbox(dir, 1 << 20, 1_000_000, FileOutbox.Fsync.never())) {
            dropped = o.droppedAtStart();
            List<Integer> got = numbers(o);
            kept = got.size();
            assertTrue(dropped > 0 && kept > 0, "dropped " + dropped + ", kept " + kept);
            assertEquals(n, dropped + kept);
            assertContiguous(got, n - kept, n);
            assertTrue(onDisk() <= 1 << 20, "files after the resize: " + onDisk());
            // A drain with new records coming in: rolls and compactions on the smaller bound.
            ArrayDeque<Integer> handles = new ArrayDeque<>();
            for (int h = o.first(); h >= 0; h = o.next(h)) {
                handles.add(h);
            }
            int oldest = n - kept;
            for (int i = n; i < n + 30_000; i++) {
                int h;
                while ((h = append(o, i)) < 0) {
                    o.remove(handles.removeFirst());
                    oldest++;
                }
                handles.add(h);
                if (i % 1000 == 0) {
                    assertTrue(onDisk() <= 1 << 20, "files: " + onDisk());
                }
            }
            assertContiguous(numbers(o), oldest, n + 30_000);
            kept = n + 30_000 - oldest;
        }
        try (FileOutbox o = new FileOutbox(dir, 1 << 20, 1_000_000, FileOutbox.Fsync.never())) {
            assertContiguous(numbers(o), n + 30_000 - kept, n + 30_000);
            assertEquals(0, o.droppedAtStart());
            assertEquals(0, o.damagedRecords());
        }
    }

    @Test
    void aFlippedBitLosesOnlyTheRecordItHit() throws IOException {
        try (FileOutbox o = new FileOutbox(dir, 64 << 20, 1_000_000, FileOutbox.Fsync.never())) {
            for (int i = 0; i < 5000; i++) {
                append(o, i);
            }
        }
        Path seg;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> segs = files.filter(p -> p.toString().endsWith(".seg")).toList();
            assertEquals(1, segs.size());
            seg = segs.get(0);
        }
        byte[] bytes = Files.readAllBytes(seg);
        for (double at : new double[] {0.1, 0.5, 0.9}) {
            bytes[(int) (bytes.length * at)] ^= 0x10;
        }
        Files.write(seg, bytes);
        Files.createDirectory(dir.resolve("0000000000000099.seg")); // a stray directory named like a segment
        try (FileOutbox o = new FileOutbox(dir, 64 << 20, 1_000_000, FileOutbox.Fsync.never())) {
            List<Integer> got = numbers(o);
            assertEquals(3, o.damagedRecords());
            assertEquals(4997, got.size(), "every intact record is kept");
            assertEquals(0, got.get(0));
            assertEquals(4999, got.get(got.size() - 1));
            assertEquals(1, o.warnings().size(), String.valueOf(o.warnings()));
            assertTrue(o.warnings().get(0).contains("a directory"));
            append(o, 5000);
        }
        try (FileOutbox o = new FileOutbox(dir, 64 << 20, 1_000_000, FileOutbox.Fsync.never())) {
            assertEquals(4998, numbers(o).size(), "the damage stays counted once, new records follow");
        }
    }

    @Test
    void aSecondOutboxOnTheSameDirectoryIsRefused() throws IOException {
        try (FileOutbox first = new FileOutbox(dir, 1 << 20, 1000, FileOutbox.Fsync.never())) {
            append(first, 1);
            FileOutbox.OutboxLockedException e = assertThrows(FileOutbox.OutboxLockedException.class,
                () -> new FileOutbox(dir, 1 << 20, 1000, FileOutbox.Fsync.never()));
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
            assertEquals(String.valueOf(ProcessHandle.current().pid()), FileOutbox.lockHolder(dir));
            assertEquals(List.of(1), numbers(first), "the first one is untouched");
        }
        assertEquals("", FileOutbox.lockHolder(dir));
        try (FileOutbox again = new FileOutbox(dir, 1 << 20, 1000, FileOutbox.Fsync.never())) {
            assertEquals(List.of(1), numbers(again));
        }
    }

    @Test
    void anOutboxHeldByAnotherProcessIsRefusedNamingItsPid() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The crash child holds the outbox while it tries to reach a broker that is not there.
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            OutboxCrashChild.class.getName(), "127.0.0.1", "1", dir.toString(), "10", "1", "clean", "no-wait")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("A ")) {
                // wait until it holds the outbox and has accepted a message
            }
            FileOutbox.OutboxLockedException e = assertThrows(FileOutbox.OutboxLockedException.class,
                () -> new FileOutbox(dir, 1 << 20, 1000, FileOutbox.Fsync.never()));
            assertTrue(e.getMessage().contains("(pid " + child.pid() + ")"), e.getMessage());
            assertEquals(String.valueOf(child.pid()), FileOutbox.lockHolder(dir));
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (FileOutbox o = new FileOutbox(dir, 1 << 20, 1000, FileOutbox.Fsync.never())) {
            assertTrue(o.size() > 0, "the lock went with the process; its messages stayed");
        }
    }

    @Test
    void aMillionSmallRecordsStayWithinAOneMegabyteBoundOnDisk() throws IOException {
        long bound = 1 << 20;
        try (FileOutbox o = new FileOutbox(dir, bound, 1_000_000, FileOutbox.Fsync.never())) {
            byte[] p = new byte[20];
            ArrayDeque<Integer> window = new ArrayDeque<>();
            long largest = 0;
            for (int i = 0; i < 1_000_000; i++) {
                int h = o.append(TOPIC, TOPIC.length, p, 0, p.length, 1, false);
                if (h < 0) {
                    o.remove(window.removeFirst()); // full: the oldest goes (as the client's policy would)
                    h = o.append(TOPIC, TOPIC.length, p, 0, p.length, 1, false);
                }
                window.add(h);
                if (i % 3 == 0 && window.size() > 32) {
                    o.remove(window.removeFirst()); // a broker that acknowledges more slowly than we publish
                }
                if (i % 5000 == 0) {
                    largest = Math.max(largest, onDisk());
                }
            }
            assertTrue(largest <= bound, "at most " + bound + " bytes on disk, saw " + largest);
            assertTrue(o.size() > 10_000, "the bound is used, not wasted: " + o.size());
            o.persist();
            assertTrue(onDisk() <= bound);
        }
    }
}
