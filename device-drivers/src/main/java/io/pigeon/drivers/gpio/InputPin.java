package io.pigeon.drivers.gpio;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What every GPIO input driver shares: a BCM pin with its pull resistor, active-low logic and a debounce
 * time, opened on Pi4J without Pi4J's own debounce, watched by a listener the subclass provides.
 */
abstract class InputPin extends NamedDevice {
    protected final Pi4jPlatform platform;
    protected final int pin;
    protected final PullResistance pull;
    protected final boolean activeLow;
    protected final Duration debounce;
    protected volatile @Nullable DigitalInput input;
    private DigitalStateChangeListener listener;

    InputPin(Settings s, Pi4jPlatform platform) {
        super(s, DeviceKind.SENSOR);
        this.platform = platform;
        this.pin = Pins.bcm(s);
        this.pull = switch (s.choice("pull", "none", "up", "down", "none")) {
            case "up" -> PullResistance.PULL_UP;
            case "down" -> PullResistance.PULL_DOWN;
            default -> PullResistance.OFF;
        };
        this.activeLow = s.bool("active_low", false);
        this.debounce = s.duration("debounce", Duration.ZERO);
    }

    /** The Pi4J input, for tests and the simulator to drive. */
    public DigitalInput input() {
        return input;
    }

    /** True when the pin is in its active state. */
    protected boolean active(DigitalState state) {
        return state.isHigh() != activeLow;
    }

    /** The listener for this opening of the pin. */
    protected abstract DigitalStateChangeListener listener(DeviceContext ctx);

    /** Called once the pin is open and watched. */
    protected void opened(DeviceContext ctx) {
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        DigitalInput in = Pins.input(platform, name, pin, pull);
        input = in;
        listener = listener(ctx);
        in.addListener(listener);
        opened(ctx);
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
