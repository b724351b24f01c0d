package io.pigeon.gateway.bridge;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * A task for the gateway's scheduler that survives its own exceptions. A periodic task that throws is
 * cancelled by {@link java.util.concurrent.ScheduledThreadPoolExecutor} for good, silently (one bad reading in
 * the heartbeat task stopped every heartbeat); a one-shot task's exception is kept in a future nobody reads.
 * Here each kind of failure is logged once, counted, and the task runs again at its next time.
 */
final class Guarded implements Runnable {
    /** At most this many (task, kind) pairs are remembered for log-once, across all tasks. */
    private static final int MAX_KINDS = 64;
    /** Shared: a one-shot task (a command, a flush) is a new instance each time, its failures the same kind. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Runnable task;
    private final AtomicLong failures = new AtomicLong();

    private Guarded(String name, Runnable task) {
        this.name = name;
        this.task = task;
    }

    static Guarded task(String name, Runnable task) {
        return new Guarded(name, task);
    }

    long failures() {
        return failures.get();
    }

    @Override
    public void run() {
        try {
            task.run();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            String kind = name + ":" + e.getClass().getName()
                + (e.getStackTrace().length > 0 ? "@" + e.getStackTrace()[0] : "");
            if (LOGGED.size() < MAX_KINDS && LOGGED.add(kind)) {
                Logger.warn(e, "task '{}' failed; it keeps running (each kind of failure is logged once)", name);
            }
        }
    }
}
