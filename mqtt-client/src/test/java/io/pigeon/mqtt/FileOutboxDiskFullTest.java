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

    @Test
    void aFullDiskRefusesMessagesWithoutThrowingAndRecovers() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && Boolean.getBoolean("pigeon.ci")) {
            throw new AssertionError("CI must run this test as root (it mounts a tmpfs)");
        }
        Assumptions.assumeTrue(root, "needs root to mount a small tmpfs");
        Path mount = Files.createDirectory(dir.resolve("small"));
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount.toString()));
        try {
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[900 * 1024]);
            MqttOptions options = new MqttOptions().host("127.0.0.1").port(1).clientId("full-disk")
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
}
