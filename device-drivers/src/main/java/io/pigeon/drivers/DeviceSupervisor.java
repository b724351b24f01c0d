package io.pigeon.drivers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * Keeps one device running: opens it, polls it on its schedule, watches for silence, and when the device
 * is lost closes it and retries with bounded exponential backoff until it comes back. Health changes and
 * readings go to a {@link Listener}.
 *
 * <p><b>Threads.</b> A device that can block the thread that serves it, a polled one (I2C, 1-Wire, Modbus: a
 * 750 ms conversion, a 500 ms timeout) or an actuator, has a thread of its own, {@code pigeon-device-<name>}:
 * it opens, polls, closes and drives the device and runs the driver's timers
 * ({@link DeviceContext#scheduler()}), so a slow read delays only that device. An event-driven sensor (a
 * serial port, a GPIO input) only opens, closes and runs short timers (watchdog, debounce, silence check):
 * it shares the caller's scheduler, which never runs a blocking call, rather than holding an idle thread
 * (about 180 KB of RSS each on a Pi). So threads are bounded by the number of devices. Readings and failures
 * may arrive from any thread (the serial reader thread, Pi4J's callback threads).
 *
 * <p><b>Locks.</b> {@code lock} is held on the device thread around every call into the driver (open, poll,
 * apply, close). {@code healthLock} guards the health and the failure count; it is never held across a driver
 * call, so a callback thread never waits for a slow read. Order: {@code lock} before {@code healthLock}.
 *
 * <p><b>Failures.</b> A reading, or a poll that returns, is a success. A poll that throws, or a
 * {@link DeviceContext#failed} report, is one failure; after {@code errorsBeforeOffline} in a row the device
 * is offline (a polled one is also closed and reopened), and online again at the next success.
 */
public final class DeviceSupervisor implements DeviceContext {
    /** Receives readings and health changes; called from the device thread and the drivers' callback threads. */
    public interface Listener {
        void reading(Reading reading);

        void health(Device device, Health health);
    }

    /** How many commands may wait for a busy device before more are refused. */
    static final int MAX_PENDING = 16;
    /** At most this many distinct (reading, reason) pairs are remembered for log-once. */
    private static final int MAX_LOGGED_REJECTIONS = 64;
    /** Names a device with free-form readings may use besides those its config declares; further ones are dropped. */
    public static final int MAX_UNDECLARED_NAMES = 64;
    public static final String NAMES_OVER_LIMIT = "reading_names_over_limit";

    private final Device device;
    private final Duration interval;
    private final @Nullable Duration timeout;
    private final Duration retryMin;
    private final Duration retryMax;
    private final int errorsBeforeOffline;
    private final Listener listener;
    /** The device's own thread, or the shared scheduler for a device that never blocks. */
    private final ScheduledExecutorService thread;
    private final boolean ownThread;
    private final Object lock = new Object();
    private final Object healthLock = new Object();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Set<String> loggedRejections = ConcurrentHashMap.newKeySet();
    /**
     * The reading names seen: bounded, because every map keyed by a name (here, in the gateway, retained topics on
     * the broker) would otherwise grow with a device that keeps inventing them (a radio receiver passing on
     * rolling ids, noise that still parses as key=value).
     */
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final int maxNames;
    private final AtomicInteger pending = new AtomicInteger();

    private volatile boolean open;
    private volatile boolean opening;
    private volatile boolean stopped;
    private volatile Health health;
    private volatile long lastDataNanos;
    // guarded by healthLock
    private int failuresInARow;
    /** Closed for failures or silence: stays offline after reopening until the device delivers again. */
    private boolean awaitingData;
    /** Reopen attempts since the device last delivered: written by any thread, so atomic. */
    private final AtomicInteger attempt = new AtomicInteger();
    // confined to the device thread
    private @Nullable ScheduledFuture<?> pollTask;
    private ScheduledFuture<?> retryTask;
    private @Nullable ScheduledFuture<?> watchdog;
    /** Set once by {@link #requestStop}, under healthLock. */
    private volatile java.util.concurrent.Future<?> stopping;

    /**
     * @param interval how often to poll a {@link Device.Polled}; ignored for others
     * @param timeout no data for this long makes the device offline and reopens it (null: never)
     * @param errorsBeforeOffline failures in a row that make the device offline (at least 1)
     * @param shared where an event-driven sensor's short tasks run; null to give every device its own thread
     */
    public DeviceSupervisor(Device device, Duration interval, Duration timeout, Duration retryMin,
                            Duration retryMax, int errorsBeforeOffline, ScheduledExecutorService shared,
                            Listener listener) {
        this.device = device;
        this.interval = interval;
        this.timeout = timeout == null || timeout.isZero() ? null : timeout;
        this.retryMin = retryMin;
        this.retryMax = retryMax;
        this.errorsBeforeOffline = Math.max(1, errorsBeforeOffline);
        this.listener = listener;
        this.names.addAll(device.declaredReadings());
        // Only what a device sends decides its names (a serial line's keys); a driver's own are bounded already.
        this.maxNames = device.freeFormReadings() ? names.size() + MAX_UNDECLARED_NAMES : Integer.MAX_VALUE;
        this.ownThread = shared == null || device instanceof Device.Polled || device instanceof Device.Actuator;
        if (ownThread) {
            ScheduledThreadPoolExecutor own = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "pigeon-device-" + device.name());
                t.setDaemon(true);
                return t;
            });
            own.setRemoveOnCancelPolicy(true);
            this.thread = own;
        } else {
            this.thread = shared;
        }
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
        thread.execute(this::tryOpen);
    }

    // ------------------------------------------------------------------ device thread

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
                synchronized (healthLock) {
                    if (!awaitingData) {
                        failuresInARow = 0;
                        setHealth(Health.ONLINE);
                        Logger.info("device '{}' is online", device.name());
                    }
                }
                if (device instanceof Device.Polled && interval != null) {
                    pollTask = thread.scheduleAtFixedRate(this::pollOnce, 0, interval.toMillis(),
                        TimeUnit.MILLISECONDS);
                }
                if (timeout != null) {
                    long check = Math.max(50, timeout.toMillis() / 4);
                    watchdog = thread.scheduleWithFixedDelay(this::checkSilence, check, check, TimeUnit.MILLISECONDS);
                }
            } catch (DeviceException | RuntimeException e) {
                opening = false;
                safeClose();
                String reason = describe(e);
                Health h = health;
                if (h == null || h.online() || !h.reason().equals(reason)) {
                    Logger.warn("device '{}' is offline: {}", device.name(), reason);
                }
                setHealth(Health.offline(reason));
                scheduleRetry();
            }
        }
    }

    private void pollOnce() {
        synchronized (lock) {
            if (!open || stopped) {
                return;
            }
            try {
                ((Device.Polled) device).poll(this);
                succeeded(false);
            } catch (DeviceException | RuntimeException e) {
                failure("read_errors", describe(e), true);
            }
        }
    }

    private void checkSilence() {
        synchronized (lock) {
            long silent = System.nanoTime() - lastDataNanos;
            if (open && silent > timeout.toNanos()) {
                synchronized (healthLock) {
                    awaitingData = true;
                }
                count("silences");
                lostLocked("no data for " + human(timeout) + "; reopening");
            }
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

    private void scheduleRetry() {
        if (stopped) {
            return;
        }
        long base = retryMin.toMillis() << Math.min(attempt.getAndIncrement(), 20);
        long delay = Math.min(retryMax.toMillis(), base);
        retryTask = thread.schedule(this::tryOpen, delay, TimeUnit.MILLISECONDS);
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

    // ------------------------------------------------------------------ any thread

    /** @param data whether the device delivered something; a poll that returned empty-handed is no data */
    private void succeeded(boolean data) {
        if (data) {
            lastDataNanos = System.nanoTime();
        }
        attempt.set(0); // the backoff starts over only once the device delivers, so a flapping one backs off
        synchronized (healthLock) {
            failuresInARow = 0;
            if (data) {
                awaitingData = false;
            }
            Health h = health;
            if (open && h != null && !h.online() && !awaitingData) {
                Logger.info("device '{}' is online again", device.name());
                setHealth(Health.ONLINE);
            }
        }
    }

    /** One failure; the {@code errorsBeforeOffline}-th in a row makes the device offline. */
    private void failure(String counter, String reason, boolean reopen) {
        count(counter);
        synchronized (healthLock) {
            failuresInARow++;
            if (failuresInARow < errorsBeforeOffline) {
                Logger.debug("device '{}': {} ({} in a row)", device.name(), reason, failuresInARow);
                return;
            }
            if (failuresInARow > errorsBeforeOffline) {
                return; // already offline for this run; the counter keeps the tally
            }
            if (reopen) {
                awaitingData = true;
            }
        }
        String why = errorsBeforeOffline == 1 ? reason : reason + " (" + errorsBeforeOffline + " failures in a row)";
        if (reopen) {
            lostLocked(why); // on the device thread, under lock
        } else {
            Logger.warn("device '{}' is offline: {}", device.name(), why);
            setHealth(Health.offline(why));
        }
    }

    @Override
    public void reading(String name, Value value) {
        if (!(open || opening)) {
            return; // while stopping, the device is still open: the safe state's reading is published
        }
        succeeded(true);
        if (!named(name)) {
            return;
        }
        try {
            listener.reading(new Reading(device.name(), name, value, Instant.now()));
        } catch (RuntimeException e) {
            Logger.warn(e, "reading listener failed for device '{}'", device.name());
        }
    }

    /** Whether a reading under this name is taken; one over the limit is counted, and the first one logged. */
    private boolean named(String reading) {
        if (maxNames == Integer.MAX_VALUE || names.contains(reading)) {
            return true;
        }
        synchronized (names) { // a callback thread and the device thread may both bring new names
            if (names.size() < maxNames) {
                names.add(reading);
                return true;
            }
        }
        count(NAMES_OVER_LIMIT);
        if (counters.get(NAMES_OVER_LIMIT).sum() == 1) {
            Logger.warn("device '{}' sent a reading named '{}' after {} other names: readings under new names are "
                + "dropped and counted as {} (declare the names under readings: to keep them)", device.name(), reading,
                maxNames, NAMES_OVER_LIMIT);
        }
        return false;
    }

    @Override
    public void alive() {
        if (open && !stopped) {
            succeeded(true);
        }
    }

    @Override
    public void failed(String counter, String reason) {
        if (open && !stopped) {
            failure(counter, reason, false);
        }
    }

    @Override
    public void rejected(String reading, String reason) {
        if (!named(reading)) {
            return;
        }
        count(reading + "_rejected");
        String key = reading + "\u0000" + reason;
        if (loggedRejections.size() < MAX_LOGGED_REJECTIONS && loggedRejections.add(key)) {
            Logger.warn("device '{}': value of '{}' dropped: {} (counted as {}_rejected; logged once)",
                device.name(), reading, reason, reading);
        }
    }

    @Override
    public void lost(String reason) {
        if (!stopped) {
            try {
                thread.execute(() -> {
                    synchronized (lock) {
                        lostLocked(reason);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping: the device is being closed anyway
            }
        }
    }

    @Override
    public void count(String counter) {
        counters.computeIfAbsent(counter, k -> new LongAdder()).increment();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return thread;
    }

    /**
     * Runs a task on the device thread, after whatever the device is doing now; false (and nothing runs) when
     * {@value #MAX_PENDING} tasks already wait or the supervisor is stopped. This is how commands reach a
     * device without making the caller wait for its reads.
     */
    public boolean execute(Runnable task) {
        if (stopped || pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            return false;
        }
        try {
            thread.execute(() -> {
                pending.decrementAndGet();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    Logger.warn(e, "task for device '{}' failed", device.name());
                }
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.decrementAndGet();
            return false;
        }
    }

    /**
     * Drives an actuator on the calling thread; fails with a clear message when the device is not an actuator
     * or is offline. Callers other than the device thread wait for a poll in progress: use {@link #execute}.
     */
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

    /** Puts an actuator in its safe state on the device thread, if it has one; false if it has none. */
    public boolean applySafeState() {
        if (!(device instanceof Device.Actuator actuator) || actuator.safeState() == null) {
            return false;
        }
        return execute(this::applySafeStateNow);
    }

    private void applySafeStateNow() {
        if (device instanceof Device.Actuator actuator && actuator.safeState() != null) {
            try {
                apply(actuator.safeState());
            } catch (DeviceException | RuntimeException e) {
                Logger.warn("device '{}': could not apply its safe state: {}", device.name(), describe(e));
            }
        }
    }

    /**
     * Applies the safe state, closes the device and stops retrying, on the device thread; waits at most
     * {@code 5 s} for a read in progress, then interrupts it.
     */
    public void stop() {
        requestStop();
        awaitStop(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }

    /**
     * Starts stopping: no new poll, retry or command begins; the safe state and the close are queued behind
     * the read in progress. Lets a caller stop many devices at once and wait for all with one deadline.
     */
    public void requestStop() {
        synchronized (healthLock) {
            if (stopping != null) {
                return;
            }
            stopped = true;
            try {
                stopping = thread.submit(this::stopNow);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stopping = java.util.concurrent.CompletableFuture.completedFuture(null);
            }
        }
    }

    /** Waits until {@link #requestStop} has finished or the deadline ({@link System#nanoTime}) passed. */
    public void awaitStop(long deadlineNanos) {
        requestStop();
        try {
            stopping.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            Logger.warn("device '{}' did not stop in time (a read still blocks); interrupting it", device.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            Logger.warn(e.getCause(), "device '{}' failed to stop", device.name());
        }
        if (ownThread) {
            thread.shutdownNow();
        }
    }

    private void stopNow() {
        applySafeStateNow();
        synchronized (lock) {
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

    private void setHealth(Health h) {
        synchronized (healthLock) {
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
