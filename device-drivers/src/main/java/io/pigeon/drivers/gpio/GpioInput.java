package io.pigeon.drivers.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.concurrent.TimeUnit;

/**
 * A digital input (button, door contact, PIR) on a BCM pin: publishes its state on every edge, through a
 * software debounce (a new state counts once it has held for {@code debounce}), so it works the same on
 * every Pi4J provider, the mock one included.
 */
public final class GpioInput extends InputPin {
    private final String reading;
    private volatile Boolean published;
    private volatile long lastEdgeNanos;

    public GpioInput(Settings s, Pi4jPlatform platform) {
        super(s, platform);
        this.reading = s.string("reading", "state");
    }

    @Override
    protected DigitalStateChangeListener listener(DeviceContext ctx) {
        published = null;
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
        long now = System.nanoTime();
        lastEdgeNanos = now;
        // Settle: publish the level only if no further edge came within the debounce time.
        ctx.scheduler().schedule(() -> {
            DigitalInput in = input;
            if (lastEdgeNanos == now && in != null) {
                publish(ctx, active(in.state()));
            } else {
                ctx.count("bounces");
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private synchronized void publish(DeviceContext ctx, boolean state) {
        if (published == null || published != state) {
            published = state;
            ctx.reading(reading, Value.bool(state));
        }
    }
}
