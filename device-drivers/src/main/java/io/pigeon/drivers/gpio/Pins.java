package io.pigeon.drivers.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.PullResistance;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;

/** Opening the Pi's own pins; also how an expander's interrupt line is opened. */
public final class Pins {
    private Pins() {
    }

    /** A BCM pin number: 0..27 on the 40-pin header (up to 53 on compute modules). */
    static int bcm(Settings s) {
        return s.requireInteger("pin", 0, 53);
    }

    /** A digital input without Pi4J's debounce (the drivers debounce themselves, the same on every provider). */
    public static DigitalInput input(Pi4jPlatform platform, String name, int pin, PullResistance pull)
            throws DeviceException {
        try {
            Context c = platform.context();
            return c.create(DigitalInput.newConfigBuilder(c).id(Pi4jPlatform.ioId(name)).name(name).address(pin)
                .pull(pull).debounce(0L).provider(platform.digitalInputProvider()));
        } catch (RuntimeException e) {
            throw new DeviceException("GPIO " + pin + " could not be opened: " + platform.explain(e), e);
        }
    }
}
