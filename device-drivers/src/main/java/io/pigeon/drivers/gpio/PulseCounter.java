package io.pigeon.drivers.gpio;

import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GPIO input in counter mode ({@code gpio-in} with {@code counter: true}), for water and energy meters:
 * every edge into the active state is counted in the listener itself (no queue, no scheduling, so none is
 * missed). Debounce covers both edges: an edge into the active state counts only when the input had been
 * inactive for at least {@code debounce}, so a reed switch that bounces on make and on break counts once per
 * pulse. Each poll publishes the pulses since the last poll, the running total, and, with {@code per_pulse},
 * the quantity they stand for.
 */
public final class PulseCounter extends InputPin implements Device.Polled {
    private final long debounceNanos;
    private final double perPulse;
    private final String unit;
    private final AtomicLong total = new AtomicLong();
    private long reported;
    /** When the input last changed, in either direction; only the listener thread writes it. */
    private volatile long lastEdgeNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    public PulseCounter(Settings s, Pi4jPlatform platform) {
        super(s, platform);
        this.debounceNanos = debounce.toNanos();
        this.perPulse = s.number("per_pulse", 0, 0, 1e9);
        this.unit = s.string("unit", "");
        s.bool("counter", true);
    }

    public long total() {
        return total.get();
    }

    @Override
    protected DigitalStateChangeListener listener(DeviceContext ctx) {
        return event -> {
            long now = System.nanoTime();
            long quietFor = now - lastEdgeNanos;
            lastEdgeNanos = now;
            if (active(event.state())) {
                if (quietFor >= debounceNanos) {
                    total.incrementAndGet();
                } else {
                    ctx.count("bounces");
                }
            }
        };
    }

    @Override
    public void poll(DeviceContext ctx) {
        long t = total.get();
        long pulses = t - reported;
        reported = t;
        ctx.reading("pulses", Value.number((double) pulses, "")); // exact below 2^53 pulses
        ctx.reading("total", Value.number((double) t, ""));
        if (perPulse > 0) {
            ctx.reading("quantity", Value.number(t * perPulse, unit));
        }
    }
}
