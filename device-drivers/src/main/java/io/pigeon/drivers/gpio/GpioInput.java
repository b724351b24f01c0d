package io.pigeon.drivers.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A digital input (button, door contact, PIR) on a BCM pin: publishes its state on every edge, through a
 * software debounce (a new state counts once it has held for {@code debounce}), so it works the same on
 * every Pi4J provider, the mock one included.
 */
public final class GpioInput extends InputPin {
    private final String reading;
    private volatile @Nullable Boolean published;
    private volatile long lastEdgeNanos;
    /** Whether a settle check is scheduled: at most one at a time, however fast the input toggles. */
    private final java.util.concurrent.atomic.AtomicBoolean settling = new java.util.concurrent.atomic.AtomicBoolean();

    public GpioInput(Settings s, Pi4jPlatform platform) {
        super(s, platform);
        this.reading = s.string("reading", "state");
    }

    @Override
    public java.util.List<String> declaredReadings() {
        return java.util.List.of(reading);
    }

    @Override
    protected DigitalStateChangeListener listener(DeviceContext ctx) {
        published = null;
        settling.set(false);
        return event -> edge(ctx);
    }

    @Override
    protected void opened(DeviceContext ctx) {
        publish(ctx, active(input.state()));
    }

    private void edge(DeviceContext ctx) {
        long millis = debounce.toMillis();
        if (millis <= 0) {
            publish(ctx, active(input.state()));
            return;
        }
        if (lastEdgeNanos != 0 && settling.get()) {
            ctx.count("bounces");
        }
        lastEdgeNanos = System.nanoTime();
        if (settling.compareAndSet(false, true)) {
            var unused = ctx.scheduler().schedule(() -> settle(ctx), millis, TimeUnit.MILLISECONDS); // ends by itself
        }
    }

    /** On the device thread: publishes the level once it has held for the debounce time, else waits on. */
    private void settle(DeviceContext ctx) {
        long quietNanos = System.nanoTime() - lastEdgeNanos;
        long left = debounce.toNanos() - quietNanos;
        if (left > 0) {
            var unused = ctx.scheduler().schedule(() -> settle(ctx), left, TimeUnit.NANOSECONDS);
            return;
        }
        settling.set(false);
        DigitalInput in = input;
        if (in != null) {
            publish(ctx, active(in.state()));
        }
    }

    private synchronized void publish(DeviceContext ctx, boolean state) {
        if (published == null || published != state) {
            published = state;
            ctx.reading(reading, Value.bool(state));
        }
    }
}
