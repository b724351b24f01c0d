package io.pigeon.drivers.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import io.pigeon.drivers.Command;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.PulseTimer;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import org.jspecify.annotations.Nullable;

/**
 * A digital output (relay, LED, buzzer): ON, OFF, TOGGLE, and a timed pulse ({@code ON for 500 ms}).
 * It starts in its {@code initial} state and goes to its {@code safe_state} on shutdown or on demand.
 */
public final class GpioOutput extends NamedDevice implements Device.Actuator {
    private final Pi4jPlatform platform;
    private final int pin;
    private final boolean activeLow;
    private final boolean initial;
    private final @Nullable Command safe;
    private @Nullable DigitalOutput output;
    private boolean state;
    private final PulseTimer pulse = new PulseTimer();

    public GpioOutput(Settings s, Pi4jPlatform platform) {
        super(s, DeviceKind.ACTUATOR);
        this.platform = platform;
        this.pin = Pins.bcm(s);
        this.activeLow = s.bool("active_low", false);
        this.initial = onOff(s, "initial", "OFF");
        String safeState = s.string("safe_state", null);
        this.safe = safeState == null ? null : Command.of(onOff(s, "safe_state", null));
    }

    private static boolean onOff(Settings s, String key, @Nullable String fallback) {
        return "ON".equals(s.choice(key, fallback, "ON", "OFF"));
    }

    @Override
    public Command safeState() {
        return safe;
    }

    /** The logical state (ON = true), as last set. */
    public synchronized boolean state() {
        return state;
    }

    public DigitalOutput output() {
        return output;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        try {
            Context c = platform.context();
            DigitalState level = physical(initial);
            output = c.create(DigitalOutput.newConfigBuilder(c).id(Pi4jPlatform.ioId(name)).name(name).address(pin)
                .initial(level).shutdown(physical(safe == null ? initial : safe instanceof Command.On))
                .provider(platform.digitalOutputProvider()));
            output.state(level);
        } catch (RuntimeException e) {
            throw new DeviceException("GPIO " + pin + " could not be opened: " + platform.explain(e), e);
        }
        synchronized (this) {
            state = initial;
        }
        ctx.reading("state", Value.bool(initial));
    }

    private DigitalState physical(boolean on) {
        return on != activeLow ? DigitalState.HIGH : DigitalState.LOW;
    }

    @Override
    public void apply(Command command, DeviceContext ctx) throws DeviceException {
        synchronized (this) {
            boolean target = Command.switchTo(command, state);
            pulse.cancel();
            if (command instanceof Command.Pulse p) {
                pulse.start(p, ctx, () -> {
                    synchronized (this) {
                        if (output != null) {
                            set(!p.state(), ctx);
                        }
                    }
                });
            }
            set(target, ctx);
        }
    }

    private void set(boolean on, DeviceContext ctx) {
        output.state(physical(on));
        state = on;
        ctx.reading("state", Value.bool(on));
    }

    @Override
    public synchronized void close() {
        pulse.cancel();
        if (output != null) {
            output = null;
            platform.release(name);
        }
    }
}
