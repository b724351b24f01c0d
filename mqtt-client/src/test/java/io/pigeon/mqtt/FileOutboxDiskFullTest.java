package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the outbox (a 256 KB tmpfs, mounted by the test as root; CI runs as root and must not
 * skip it): a message that cannot be stored is refused and counted, nothing is thrown at the publishing
 * thread, and publishing works again once there is room.
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
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()));
        try {
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[128 * 1024]);
            MqttOptions options = new MqttOptions().host("127.0.0.1").port(1).clientId("full-disk")
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(60));
            try (FileOutbox outbox = new FileOutbox(mount.resolve("outbox"), 8 << 20, 1_000_000,
                     FileOutbox.Fsync.interval(1000));
                 MqttClient c = new MqttClient(options, outbox)) {
                byte[] p = new byte[200];
                int accepted = 0;
                int refused = 0;
                for (int i = 0; i < 2000; i++) {
                    if (c.publish("disk/full", p, 1, false)) {
                        accepted++;
                    } else {
                        refused++;
                    }
                }
                assertTrue(accepted > 0 && refused > 0, "accepted " + accepted + ", refused " + refused);
                assertEquals(refused, c.stats().rejected(), "every refusal counted");
                assertEquals(accepted, c.pending());
                Files.delete(filler); // room again
                assertTrue(c.publish("disk/full", "after".getBytes(UTF_8), 1, false), "stores again");
                assertEquals(accepted + 1, c.pending());
            }
            try (FileOutbox reopened = new FileOutbox(mount.resolve("outbox"), 8 << 20, 1_000_000,
                     FileOutbox.Fsync.never())) {
                assertEquals(0, reopened.damagedRecords(), "a write cut short by the full disk is no damage");
                assertTrue(reopened.size() > 0);
            }
        } finally {
            run("umount", mount.toString());
        }
    }
}
