package io.pigeon.gateway.web;

import io.pigeon.drivers.Value;

/**
 * The recent values of one numeric reading, for the page's plot: a fixed ring of {@link #POINTS} points, at
 * most one per {@link #SPACING_MS} (a faster reading replaces the newest point instead of adding one), so it
 * spans at least 10 minutes. 300 points of a {@code long} time and a {@code double} value: 4,800 bytes of
 * arrays per reading, allocated once; recording allocates nothing.
 *
 * <p>Thread: written by whichever thread delivers the device's readings, read by the web server's threads;
 * every method is synchronized on the ring (uncontended, short).
 */
final class History {
    static final int POINTS = 300;
    static final long SPACING_MS = 2_000;

    private final long[] times = new long[POINTS];
    private final double[] values = new double[POINTS];
    private int newest = -1;
    private int size;
    private long lastAdded = Long.MIN_VALUE;
    private final int decimals;

    /** @param decimals rounding of the values shown (-1: none) */
    History(int decimals) {
        this.decimals = decimals;
    }

    synchronized void record(long epochMillis, double value) {
        if (size > 0 && epochMillis - lastAdded < SPACING_MS && epochMillis >= lastAdded) {
            times[newest] = epochMillis;
            values[newest] = value;
            return;
        }
        newest = (newest + 1) % POINTS;
        times[newest] = epochMillis;
        values[newest] = value;
        size = Math.min(size + 1, POINTS);
        lastAdded = epochMillis;
    }

    synchronized int size() {
        return size;
    }

    /** {@code [[time_ms,value],...]}, oldest first. */
    synchronized void appendJson(StringBuilder sb) {
        sb.append('[');
        for (int i = 0; i < size; i++) {
            int at = (newest - size + 1 + i + POINTS) % POINTS;
            if (i > 0) {
                sb.append(',');
            }
            Value.Numeric v = new Value.Numeric(values[at], null);
            sb.append('[').append(times[at]).append(',').append((decimals >= 0 ? v.rounded(decimals) : v).text())
                .append(']');
        }
        sb.append(']');
    }
}
