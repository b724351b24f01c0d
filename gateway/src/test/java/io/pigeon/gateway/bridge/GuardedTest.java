package io.pigeon.gateway.bridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuardedTest {
    @Test
    void aPeriodicTaskThatThrowsKeepsRunning() throws Exception {
        // Unguarded, the executor cancels a fixed-rate task at its first exception, silently and for good:
        // that is how one bad value stopped every heartbeat.
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            AtomicInteger runs = new AtomicInteger();
            Guarded task = Guarded.task("heartbeats", () -> {
                if (runs.incrementAndGet() % 2 == 1) {
                    throw new IllegalStateException("a bad value");
                }
            });
            var periodic = scheduler.scheduleAtFixedRate(task, 0, 5, TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (runs.get() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(runs.get() >= 10, "ran on: " + runs.get());
            assertTrue(task.failures() >= 5, "failures counted: " + task.failures());
            assertTrue(!periodic.isDone(), "a throw did not end the periodic task");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
