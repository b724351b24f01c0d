package io.pigeon.drivers.gpio;

import com.pi4j.context.Context;
import com.pi4j.io.pwm.Pwm;
import com.pi4j.io.pwm.PwmType;
import io.pigeon.drivers.Command;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import org.jspecify.annotations.Nullable;

/**
 * A PWM output (fan, dimmer): a duty cycle of 0–100 % at a frequency. ON is 100 %, OFF is 0 %; values out
 * of range are refused, never clamped, so a typo cannot run a fan at full speed.
 */
public final class PwmOutput extends NamedDevice implements Device.Actuator {
    private final Pi4jPlatform platform;
    private final int channel;
    private final int frequency;
    private final double initial;
    private final @Nullable Command safe;
    private @Nullable Pwm pwm;
    private double duty;

    public PwmOutput(Settings s, Pi4jPlatform platform) {
        super(s, DeviceKind.ACTUATOR);
        this.platform = platform;
        // Pi4J addresses hardware PWM by channel: the pin's channel on this board (see PwmPins), or as set.
        if (s.has("channel")) {
            this.channel = s.integer("channel", 0, 0, 3);
        } else {
            int bcm = Pins.bcm(s);
            this.channel = platform.pwmChannel(bcm).orElseThrow(() -> s.error("pin", "GPIO " + bcm
                + " has no hardware PWM; use 12, 13, 18 or 19 (or a gpio-out for on/off)"));
        }
        this.frequency = s.integer("frequency", 1000, 1, 50_000_000);
        this.initial = s.number("initial", 0, 0, 100);
        this.safe = s.has("safe_state") ? new Command.Level(s.number("safe_state", 0, 0, 100)) : null;
    }

    @Override
    public Command safeState() {
        return safe;
    }

    public synchronized double duty() {
        return duty;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        if (platform.kind() == Pi4jPlatform.Kind.RASPBERRYPI && platform.pwmChip() < 0) {
            throw new DeviceException("no hardware PWM in /sys/class/pwm: add dtoverlay=pwm-2chan to "
                + "/boot/firmware/config.txt and reboot (see the README)");
        }
        try {
            Context c = platform.context();
            pwm = c.create(Pwm.newConfigBuilder(c).id(Pi4jPlatform.ioId(name)).name(name).address(channel)
                .pwmType(PwmType.HARDWARE).frequency(frequency).dutyCycle(initial).initial(initial)
                .shutdown(safe instanceof Command.Level l ? l.percent() : 0)
                .provider(platform.pwmProvider()));
            set(initial, ctx);
        } catch (RuntimeException e) {
            throw new DeviceException("PWM channel " + channel + " could not be opened: " + platform.explain(e), e);
        }
    }

    @Override
    public synchronized void apply(Command command, DeviceContext ctx) throws DeviceException {
        double target;
        if (command instanceof Command.Level l) {
            target = l.percent();
        } else if (command instanceof Command.On) {
            target = 100;
        } else if (command instanceof Command.Off) {
            target = 0;
        } else {
            throw new DeviceException("a PWM output takes a duty cycle of 0-100, ON or OFF, not "
                + Command.describe(command));
        }
        if (!(target >= 0 && target <= 100)) {
            throw new DeviceException("duty cycle " + Value.number(target, "").text() + " is outside 0..100");
        }
        set(target, ctx);
    }

    private void set(double percent, DeviceContext ctx) {
        if (percent == 0) {
            pwm.off();
        } else {
            pwm.on(percent, frequency);
        }
        duty = percent;
        ctx.reading("duty", Value.number(percent, "%"));
    }

    @Override
    public synchronized void close() {
        if (pwm != null) {
            pwm = null;
            platform.release(name);
        }
    }
}
