package io.pigeon.drivers.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.concurrent.TimeUnit;

/**
 * A digital input (button, door contact, PIR) on a BCM pin: publishes its state on every edge, through a
 * software debounce (a new state counts once it has held for {@code debounce}), so it works the same on
 * every Pi4J provider, the mock one included.
 */
public final class GpioInput implements Device {
    private final String name;
    private final Pi4jPlatform platform;
    private final int pin;
    private final PullResistance pull;
    private final boolean activeLow;
    private final long debounceMillis;
    private final String reading;
    private DigitalInput input;
    private DigitalStateChangeListener listener;
    private volatile Boolean published;
    private volatile long lastEdgeNanos;

    public GpioInput(Settings s, Pi4jPlatform platform) {
        this.name = s.device();
        this.platform = platform;
        this.pin = Pins.bcm(s);
        this.pull = pull(s);
        this.activeLow = s.bool("active_low", false);
        this.debounceMillis = s.duration("debounce", java.time.Duration.ZERO).toMillis();
        this.reading = s.string("reading", "state");
    }

    static PullResistance pull(Settings s) {
        return switch (s.choice("pull", "none", "up", "down", "none")) {
            case "up" -> PullResistance.PULL_UP;
            case "down" -> PullResistance.PULL_DOWN;
            default -> PullResistance.OFF;
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.SENSOR;
    }

    /** The Pi4J input, for tests and the simulator to drive. */
    public DigitalInput input() {
        return input;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        input = Pins.input(platform, name, pin, pull);
        published = null;
        listener = event -> edge(ctx);
        input.addListener(listener);
        publish(ctx, logical(input.state()));
    }

    private boolean logical(DigitalState state) {
        return state.isHigh() != activeLow;
    }

    private void edge(DeviceContext ctx) {
        if (debounceMillis <= 0) {
            publish(ctx, logical(input.state()));
            return;
        }
        long now = System.nanoTime();
        lastEdgeNanos = now;
        // Settle: publish the level only if no further edge came within the debounce time.
        ctx.scheduler().schedule(() -> {
            if (lastEdgeNanos == now && input != null) {
                publish(ctx, logical(input.state()));
            } else {
                ctx.count("bounces");
            }
        }, debounceMillis, TimeUnit.MILLISECONDS);
    }

    private synchronized void publish(DeviceContext ctx, boolean state) {
        if (published == null || published != state) {
            published = state;
            ctx.reading(reading, Value.bool(state));
        }
    }

    @Override
    public void close() {
        DigitalInput in = input;
        input = null;
        if (in != null) {
            in.removeListener(listener);
            platform.release(name);
        }
    }
}
