package io.pigeon.drivers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A DeviceContext for tests: records what a driver reports. */
public final class RecordingContext implements DeviceContext, AutoCloseable {
    public record Got(String name, Value value) {
        /** The value as a number: for readings the test knows are numeric. */
        public double number() {
            return ((Value.Numeric) value).value();
        }
    }

    public final LinkedBlockingQueue<Got> readings = new LinkedBlockingQueue<>();
    public final List<String> lost = new CopyOnWriteArrayList<>();
    /** Failures as "counter: reason", rejections as "reading rejected: reason". */
    public final List<String> failures = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @Override
    public void reading(String name, Value value) {
        readings.add(new Got(name, value));
    }

    @Override
    public void lost(String reason) {
        lost.add(reason);
    }

    @Override
    public void alive() {
        count("alive");
    }

    @Override
    public void failed(String counter, String reason) {
        count(counter);
        failures.add(counter + ": " + reason);
    }

    @Override
    public void rejected(String reading, String reason) {
        count(reading + "_rejected");
        failures.add(reading + " rejected: " + reason);
    }

    @Override
    public void count(String counter) {
        counters.computeIfAbsent(counter, k -> new AtomicLong()).incrementAndGet();
    }

    public long counter(String name) {
        AtomicLong v = counters.get(name);
        return v == null ? 0 : v.get();
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public Got next(Duration timeout) throws InterruptedException {
        Got g = readings.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (g == null) {
            throw new AssertionError("no reading within " + timeout);
        }
        return g;
    }

    /** The next reading with this name, skipping others. */
    public Got next(String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Got g = readings.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (g == null) {
                throw new AssertionError("no '" + name + "' reading within " + timeout);
            }
            if (g.name().equals(name)) {
                return g;
            }
        }
    }

    public Got poll(Duration timeout) throws InterruptedException {
        return readings.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
