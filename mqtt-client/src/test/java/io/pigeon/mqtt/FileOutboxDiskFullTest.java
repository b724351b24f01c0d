package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the outbox (a 1 MB tmpfs, mounted by the test as root; CI runs as root and must not
 * skip it): a disk error is a state, not an exception. Publishing goes on in memory (bounded), nothing is
 * thrown at the publishing thread, and once there is room again the messages held in memory are written, by
 * themselves, in order.
 */
class FileOutboxDiskFullTest {
    @TempDir
    Path dir;

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** A 1 MB tmpfs of the test's own (root only; CI is root and must not skip), unmounted by the caller. */
    private Path mountSmallTmpfs() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && Boolean.getBoolean("pigeon.ci")) {
            throw new AssertionError("CI must run this test as root (it mounts a tmpfs)");
        }
        Assumptions.assumeTrue(root, "needs root to mount a small tmpfs");
        Path mount = Files.createDirectory(dir.resolve("small"));
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()));
        return mount;
    }

    @Test
    void aFullDiskRefusesMessagesWithoutThrowingAndRecovers() throws Exception {
        Path mount = mountSmallTmpfs();
        try {
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[900 * 1024]);
            MqttOptions.Builder options = MqttOptions.builder().host("127.0.0.1").port(1).clientId("full-disk")
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(60));
            try (FileOutbox outbox = new FileOutbox(mount.resolve("outbox"), 8 << 20, 1_000_000,
                     FileOutbox.Fsync.interval(1000));
                 MqttClient c = new MqttClient(options, outbox)) {
                c.start(); // never connects (port 1): its connection thread gives the outbox its idle calls
                int accepted = 0;
                for (int i = 0; i < 2000; i++) {
                    byte[] p = String.format("%05d", i).getBytes(UTF_8);
                    byte[] body = java.util.Arrays.copyOf(p, 200);
                    assertTrue(c.publish("disk/full", body, 1, false), "message " + i + " accepted");
                    accepted++;
                }
                assertTrue(outbox.degradedReason() != null, "the 400 KB did not fit the 100 KB left");
                assertTrue(outbox.degradedReason().contains("No space left"), outbox.degradedReason());
                assertEquals(0, c.stats().rejected(), "nothing refused: held in memory");
                assertEquals(accepted, c.pending());
                Files.delete(filler); // room again
                Await.until(Duration.ofSeconds(10), () -> outbox.degradedReason() == null,
                    () -> "writing to disk again by itself: " + outbox.degradedReason());
                assertEquals(accepted, c.pending());
            }
            try (FileOutbox reopened = new FileOutbox(mount.resolve("outbox"), 8 << 20, 1_000_000,
                     FileOutbox.Fsync.never())) {
                assertEquals(0, reopened.damagedRecords(), "a write cut short by the full disk is no damage");
                assertEquals(2000, reopened.size(), "every message on disk after all");
                int i = 0;
                for (int h = reopened.first(); h >= 0; h = reopened.next(h), i++) {
                    String p = new String(reopened.data(h), reopened.topicLength(h), 5, UTF_8);
                    assertEquals(String.format("%05d", i), p, "in order");
                }
            }
        } finally {
            run("umount", mount.toString());
        }
    }

    @Test
    void theDrainGoesOnWithoutAckRecordsAndCountsWhatMayComeBack() throws Exception {
        Path mount = mountSmallTmpfs();
        try {
            Path outboxDir = mount.resolve("outbox");
            java.util.List<Integer> handles = new java.util.ArrayList<>();
            long unrecorded;
            try (FileOutbox o = new FileOutbox(outboxDir, 8 << 20, 1_000_000, FileOutbox.Fsync.never())) {
                byte[] topic = "t".getBytes(UTF_8);
                byte[] p = new byte[100];
                for (int i = 0; i < 2000; i++) {
                    handles.add(o.append(topic, 1, p, 0, p.length, 1, false));
                }
                // fill what is left of the disk behind the outbox's back
                Files.write(mount.resolve("filler"), new byte[(int) Files.getFileStore(mount).getUsableSpace()]);
                for (int h : handles) {
                    o.remove(h); // acknowledged: the ACK records cannot all be written now
                }
                assertEquals(0, o.size(), "the drain went on");
                assertTrue(o.degradedReason() != null, "degraded");
                unrecorded = o.unrecorded();
                assertTrue(unrecorded > 0, "acknowledgements that could not be written are counted");
            }
            Files.delete(mount.resolve("filler"));
            try (FileOutbox o = new FileOutbox(outboxDir, 8 << 20, 1_000_000, FileOutbox.Fsync.never())) {
                assertTrue(o.size() <= unrecorded, o.size() + " message(s) come back, at most the " + unrecorded
                    + " counted");
            }
        } finally {
            run("umount", mount.toString());
        }
    }

    /** EIO and a read-only remount, injected below the outbox: the same state as a full disk, and back. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Input/output error", "Read-only file system"})
    void aFailingOrReadOnlyDiskIsTheSameStateAndRecovers(String error) throws Exception {
        boolean[] failing = {false};
        Storage flaky = new Storage() {
            @Override
            public java.nio.channels.FileChannel open(Path segment, boolean create) throws java.io.IOException {
                if (failing[0]) {
                    throw new java.io.IOException(error);
                }
                return new FileOutboxCrashConsistencyTest.RecordingChannel(Storage.FILES.open(segment, create), segment,
                    null) {
                    @Override
                    public int write(java.nio.ByteBuffer src, long position) throws java.io.IOException {
                        if (failing[0]) {
                            throw new java.io.IOException(error);
                        }
                        return super.write(src, position);
                    }
                };
            }
        };
        Path outboxDir = dir.resolve("outbox");
        try (FileOutbox o = new FileOutbox(outboxDir, 1 << 20, 100_000, FileOutbox.Fsync.interval(1000), flaky)) {
            byte[] topic = "t".getBytes(UTF_8);
            for (int i = 0; i < 300; i++) {
                if (i == 100) {
                    failing[0] = true;
                }
                if (i == 200) {
                    failing[0] = false;
                }
                byte[] p = String.format("%05d", i).getBytes(UTF_8);
                assertTrue(o.append(topic, 1, p, 0, p.length, 1, false) >= 0, "record " + i);
                if (i == 150) {
                    assertEquals(error, o.degradedReason());
                    org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class, o::idle,
                        "reported once");
                    o.idle(); // still failing: quiet
                    assertEquals(error, o.degradedReason());
                }
            }
            o.idle(); // the disk takes writes again: what waited in memory goes to it
            assertEquals(null, o.degradedReason());
        }
        try (FileOutbox o = new FileOutbox(outboxDir, 1 << 20, 100_000, FileOutbox.Fsync.never())) {
            assertEquals(300, o.size(), "every record on disk, in order");
            int i = 0;
            for (int h = o.first(); h >= 0; h = o.next(h), i++) {
                assertEquals(String.format("%05d", i), new String(o.data(h), 1, 5, UTF_8));
            }
        }
    }
}
