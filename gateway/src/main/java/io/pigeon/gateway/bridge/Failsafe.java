package io.pigeon.gateway.bridge;

import io.pigeon.drivers.DeviceSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * Actuators to their safe state when the broker stays unreachable for their {@code failsafe_after}: armed at
 * start and at every lost connection, cancelled at every connection.
 *
 * <p>Threads: {@link #arm} and {@link #cancel} run on the client's connection thread (and the caller of
 * {@code Gateway.start}/{@code close}), under this object's monitor; the check runs every 100 ms on the
 * gateway's scheduler and applies a safe state through the device's own thread.
 */
final class Failsafe {
    /** A device with a safe state and how long the broker may be away before it is applied. */
    record Target(String name, Duration after, DeviceSupervisor supervisor) {
    }

    private final List<Target> targets;
    private final ScheduledExecutorService scheduler;
    private final Set<String> applied = ConcurrentHashMap.newKeySet();
    private @Nullable ScheduledFuture<?> check; // guarded by this
    private boolean stopped; // guarded by this

    Failsafe(List<Target> targets, ScheduledExecutorService scheduler) {
        this.targets = List.copyOf(targets);
        this.scheduler = scheduler;
    }

    /** Starts counting the broker's absence from now (no-op when counting already, or without targets). */
    synchronized void arm() {
        if (check != null || stopped || targets.isEmpty()) {
            return;
        }
        long armedAt = System.nanoTime();
        check = scheduler.scheduleAtFixedRate(Guarded.task("fail-safe", () -> {
            long away = System.nanoTime() - armedAt;
            for (Target t : targets) {
                if (away >= t.after().toNanos() && applied.add(t.name())) {
                    Logger.warn("broker unreachable for {}: device '{}' goes to its safe state",
                        DeviceSupervisor.human(t.after()), t.name());
                    t.supervisor().applySafeState();
                }
            }
        }), 100, 100, TimeUnit.MILLISECONDS);
    }

    /** The broker is back: stop counting; the next loss counts from zero again. */
    synchronized void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        applied.clear();
    }

    /** At shutdown: cancelled for good (the gateway applies every safe state itself). */
    synchronized void stop() {
        stopped = true;
        cancel();
    }
}
