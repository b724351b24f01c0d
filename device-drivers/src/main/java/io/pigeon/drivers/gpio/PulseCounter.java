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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A GPIO input in counter mode ({@code gpio-in} with {@code counter: true}), for water and energy meters:
 * every edge into the active state is counted in the listener itself (no queue, no scheduling, so none is
 * missed), edges closer than {@code debounce} to the last counted one excepted. Each poll publishes the
 * pulses since the last poll, the running total, and, with {@code per_pulse}, the quantity they stand for.
 */
public final class PulseCounter implements Device.Polled {
    private final String name;
    private final Pi4jPlatform platform;
    private final int pin;
    private final PullResistance pull;
    private final boolean activeLow;
    private final long debounceNanos;
    private final double perPulse;
    private final String unit;
    private final AtomicLong total = new AtomicLong();
    private long reported;
    private volatile long lastCountedNanos;
    private DigitalInput input;
    private DigitalStateChangeListener listener;

    public PulseCounter(Settings s, Pi4jPlatform platform) {
        this.name = s.device();
        this.platform = platform;
        this.pin = Pins.bcm(s);
        this.pull = GpioInput.pull(s);
        this.activeLow = s.bool("active_low", false);
        this.debounceNanos = s.duration("debounce", java.time.Duration.ZERO).toNanos();
        this.perPulse = s.number("per_pulse", 0, 0, 1e9);
        this.unit = s.string("unit", "");
        s.bool("counter", true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.SENSOR;
    }

    public long total() {
        return total.get();
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        input = Pins.input(platform, name, pin, pull);
        listener = event -> {
            if ((event.state() == DigitalState.HIGH) != activeLow) {
                long now = System.nanoTime();
                if (debounceNanos == 0 || now - lastCountedNanos >= debounceNanos) {
                    lastCountedNanos = now;
                    total.incrementAndGet();
                }
            }
        };
        input.addListener(listener);
    }

    @Override
    public void poll(DeviceContext ctx) {
        long t = total.get();
        long pulses = t - reported;
        reported = t;
        ctx.reading("pulses", Value.number(pulses, ""));
        ctx.reading("total", Value.number(t, ""));
        if (perPulse > 0) {
            ctx.reading("quantity", Value.number(t * perPulse, unit));
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
