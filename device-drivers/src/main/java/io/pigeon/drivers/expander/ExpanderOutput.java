package io.pigeon.drivers.expander;

import com.pi4j.io.i2c.I2C;
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
 * A {@code gpio-out} pin on an I2C expander (a relay board on a PCF8574, LEDs on an MCP23017): ON, OFF, TOGGLE and
 * a timed pulse, its {@code initial} state at open and its {@code safe_state} on shutdown or when the broker stays
 * away, as a pin of the Pi's own. The chip's other pins are left as they are.
 */
public final class ExpanderOutput extends NamedDevice implements Device.Actuator {
    private final Pi4jPlatform platform;
    private final Expander chip;
    private final int pin;
    private final boolean activeLow;
    private final boolean initial;
    private final @Nullable Command safe;
    private @Nullable I2C i2c;
    private boolean state;
    private final PulseTimer pulse = new PulseTimer();

    public ExpanderOutput(Settings s, Pi4jPlatform platform) {
        super(s, DeviceKind.ACTUATOR);
        this.platform = platform;
        this.chip = Expander.of(s.section("expander"), platform);
        this.pin = chip.pin(s);
        this.activeLow = s.bool("active_low", false);
        this.initial = "ON".equals(s.choice("initial", "OFF", "ON", "OFF"));
        this.safe = s.has("safe_state") ? Command.of("ON".equals(s.choice("safe_state", "OFF", "ON", "OFF"))) : null;
    }

    @Override
    public @Nullable Command safeState() {
        return safe;
    }

    @Override
    public synchronized void open(DeviceContext ctx) throws DeviceException {
        try {
            i2c = platform.i2c(name, chip.bus, chip.address);
            chip.output(i2c, pin, initial != activeLow);
            state = initial;
        } catch (RuntimeException e) {
            close();
            throw new DeviceException(chip.chip() + " at 0x" + Integer.toHexString(chip.address) + ": " + e.getMessage(), e);
        }
        ctx.reading("state", Value.bool(state));
    }

    @Override
    public synchronized void apply(Command command, DeviceContext ctx) throws DeviceException {
        boolean target = Command.switchTo(command, state);
        pulse.cancel();
        if (command instanceof Command.Pulse p) {
            pulse.start(p, ctx, () -> {
                synchronized (this) {
                    if (i2c != null) {
                        try {
                            set(!p.state(), ctx);
                        } catch (DeviceException e) {
                            ctx.failed("write_errors", e.getMessage());
                        }
                    }
                }
            });
        }
        set(target, ctx);
    }

    private void set(boolean on, DeviceContext ctx) throws DeviceException {
        try {
            chip.write(i2c, pin, on != activeLow);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C write failed: " + e.getMessage(), e);
        }
        state = on;
        ctx.reading("state", Value.bool(on));
    }

    @Override
    public synchronized void close() {
        pulse.cancel();
        if (i2c != null) {
            i2c = null;
            platform.release(name);
        }
    }
}
