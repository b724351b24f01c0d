package io.pigeon.drivers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.tinylog.Logger;

/**
 * Keeps one device running: opens it, polls it on its schedule, watches for silence, and when the device
 * is lost closes it and retries with bounded exponential backoff until it comes back. Health changes and
 * readings go to a {@link Listener}. A failing device never affects another: each has its own supervisor
 * and every driver call is guarded.
 */
public final class DeviceSupervisor implements DeviceContext {
    /** Receives readings and health changes; called from driver and scheduler threads. */
    public interface Listener {
        void reading(Reading reading);

        void health(Device device, Health health);
    }

    private final Device device;
    private final Duration interval;
    private final Duration timeout;
    private final Duration retryMin;
    private final Duration retryMax;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final Object lock = new Object();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    private volatile boolean open;
    private volatile boolean opening;
    private volatile boolean stopped;
    private volatile Health health;
    private volatile long lastDataNanos;
    private volatile int attempt;
    private ScheduledFuture<?> pollTask;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> watchdog;

    /**
     * @param interval how often to poll a {@link Device.Polled}; ignored for others
     * @param timeout no reading for this long makes the device offline (null: never)
     */
    public DeviceSupervisor(Device device, Duration interval, Duration timeout, Duration retryMin,
                            Duration retryMax, ScheduledExecutorService scheduler, Listener listener) {
        this.device = device;
        this.interval = interval;
        this.timeout = timeout == null || timeout.isZero() ? null : timeout;
        this.retryMin = retryMin;
        this.retryMax = retryMax;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    public Device device() {
        return device;
    }

    /** The current health, or null before the first open attempt finished. */
    public Health health() {
        return health;
    }

    public boolean isOpen() {
        return open;
    }

    /** Counters such as {@code checksum_errors}, sorted by name. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public void start() {
        scheduler.execute(this::tryOpen);
    }

    private void tryOpen() {
        synchronized (lock) {
            if (stopped || open) {
                return;
            }
            try {
                opening = true; // a device may report its initial state from open()
                device.open(this);
                open = true;
                lastDataNanos = System.nanoTime();
                opening = false;
                setHealth(Health.ONLINE);
                Logger.info("device '{}' is online", device.name());
                if (device instanceof Device.Polled && interval != null) {
                    long ms = interval.toMillis();
                    pollTask = scheduler.scheduleAtFixedRate(this::pollOnce, 0, ms, TimeUnit.MILLISECONDS);
                }
                if (timeout != null) {
                    long check = Math.max(50, timeout.toMillis() / 4);
                    watchdog = scheduler.scheduleAtFixedRate(this::checkSilence, check, check, TimeUnit.MILLISECONDS);
                }
            } catch (DeviceException | RuntimeException e) {
                opening = false;
                safeClose();
                String reason = describe(e);
                if (health == null || health.online() || !health.reason().equals(reason)) {
                    Logger.warn("device '{}' is offline: {}", device.name(), reason);
                }
                setHealth(Health.offline(reason));
                scheduleRetry();
            }
        }
    }

    private void pollOnce() {
        synchronized (lock) {
            if (!open) {
                return;
            }
            try {
                ((Device.Polled) device).poll(this);
            } catch (DeviceException | RuntimeException e) {
                lostLocked(describe(e));
            }
        }
    }

    private void checkSilence() {
        long silent = System.nanoTime() - lastDataNanos;
        Health h = health;
        if (open && h != null && h.online() && silent > timeout.toNanos()) {
            String reason = "no data for " + human(timeout);
            Logger.warn("device '{}' is offline: {}", device.name(), reason);
            setHealth(Health.offline(reason));
        }
    }

    @Override
    public void reading(String name, Value value) {
        if (!(open || opening) || stopped) {
            return;
        }
        lastDataNanos = System.nanoTime();
        attempt = 0; // the backoff starts over only once the device delivers, so a flapping one backs off
        Health h = health;
        if (open && h != null && !h.online()) {
            Logger.info("device '{}' is online again", device.name());
            setHealth(Health.ONLINE);
        }
        listener.reading(new Reading(device.name(), name, value, Instant.now()));
    }

    @Override
    public void lost(String reason) {
        if (!stopped) {
            scheduler.execute(() -> {
                synchronized (lock) {
                    lostLocked(reason);
                }
            });
        }
    }

    private void lostLocked(String reason) {
        if (!open) {
            return;
        }
        Logger.warn("device '{}' is offline: {}", device.name(), reason);
        cancelTasks();
        safeClose();
        open = false;
        setHealth(Health.offline(reason));
        scheduleRetry();
    }

    @Override
    public void trouble(String reason) {
        Health h = health;
        if (open && (h == null || h.online() || !h.reason().equals(reason))) {
            Logger.warn("device '{}' is offline: {}", device.name(), reason);
            setHealth(Health.offline(reason));
        }
    }

    @Override
    public void count(String counter) {
        counters.computeIfAbsent(counter, k -> new LongAdder()).increment();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Drives an actuator; fails with a clear message when the device is not an actuator or is offline. */
    public void apply(Command command) throws DeviceException {
        if (!(device instanceof Device.Actuator actuator)) {
            throw new DeviceException("device '" + device.name() + "' is not an actuator");
        }
        synchronized (lock) {
            if (!open) {
                Health h = health;
                throw new DeviceException("device '" + device.name() + "' is offline"
                    + (h != null && !h.reason().isEmpty() ? ": " + h.reason() : ""));
            }
            actuator.apply(command, this);
        }
    }

    /** Puts an actuator in its safe state, if it has one and is open. */
    public boolean applySafeState() {
        if (!(device instanceof Device.Actuator actuator) || actuator.safeState() == null) {
            return false;
        }
        try {
            apply(actuator.safeState());
            return true;
        } catch (DeviceException | RuntimeException e) {
            Logger.warn("device '{}': could not apply its safe state: {}", device.name(), describe(e));
            return false;
        }
    }

    /** Applies the safe state, closes the device and stops retrying. */
    public void stop() {
        applySafeState();
        synchronized (lock) {
            stopped = true;
            cancelTasks();
            if (retryTask != null) {
                retryTask.cancel(false);
            }
            if (open) {
                safeClose();
                open = false;
            }
        }
    }

    private void scheduleRetry() {
        if (stopped) {
            return;
        }
        long base = retryMin.toMillis() << Math.min(attempt, 20);
        long delay = Math.min(retryMax.toMillis(), base);
        attempt++;
        retryTask = scheduler.schedule(this::tryOpen, delay, TimeUnit.MILLISECONDS);
    }

    private void cancelTasks() {
        if (pollTask != null) {
            pollTask.cancel(false);
            pollTask = null;
        }
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    private void safeClose() {
        try {
            device.close();
        } catch (RuntimeException e) {
            Logger.warn("device '{}' failed to close: {}", device.name(), describe(e));
        }
    }

    private void setHealth(Health h) {
        Health old = health;
        health = h;
        if (!h.equals(old)) {
            try {
                listener.health(device, h);
            } catch (RuntimeException e) {
                Logger.warn(e, "health listener failed for device '{}'", device.name());
            }
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof DeviceException) {
            return m;
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** 30 s, 2 min, 500 ms. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms >= 120_000) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }
}
