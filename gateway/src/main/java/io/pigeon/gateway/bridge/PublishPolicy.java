package io.pigeon.gateway.bridge;

import io.pigeon.drivers.Value;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Decides which readings of one device are published: all of them, or (with {@code on_change}) only those
 * that moved by at least the deadband, and at least every heartbeat. Numbers are rounded first, so a
 * change below the published precision is no change.
 */
public final class PublishPolicy {
    private final boolean onChange;
    private final double deadband;
    private final long heartbeatNanos;
    private final int decimals;
    private final Map<String, Last> last = new ConcurrentHashMap<>();

    private record Last(Value value, long nanos) {
    }

    public PublishPolicy(boolean onChange, double deadband, Duration heartbeat, int decimals) {
        this.onChange = onChange;
        this.deadband = deadband;
        this.heartbeatNanos = heartbeat == null ? Long.MAX_VALUE : heartbeat.toNanos();
        this.decimals = decimals;
    }

    /** The value as published (rounded), or null when it is not to be published now. */
    public @Nullable Value admit(String reading, Value value, long nowNanos) {
        Value v = decimals >= 0 && value instanceof Value.Numeric n ? n.rounded(decimals) : value;
        Last prev = last.get(reading);
        boolean publish = !onChange || prev == null || nowNanos - prev.nanos() >= heartbeatNanos || changed(prev.value(), v);
        if (publish) {
            last.put(reading, new Last(v, nowNanos));
            return v;
        }
        return null;
    }

    private boolean changed(Value before, Value now) {
        if (before instanceof Value.Numeric a && now instanceof Value.Numeric b) {
            double delta = Math.abs(a.value() - b.value());
            return deadband > 0 ? delta >= deadband : delta > 0;
        }
        return !before.equals(now);
    }

    /** Readings whose heartbeat is due: published again although unchanged. */
    public Map<String, Value> due(long nowNanos) {
        Map<String, Value> out = new java.util.HashMap<>();
        if (heartbeatNanos == Long.MAX_VALUE) {
            return out;
        }
        last.forEach((name, l) -> {
            if (nowNanos - l.nanos() >= heartbeatNanos) {
                out.put(name, l.value());
            }
        });
        return out;
    }
}
