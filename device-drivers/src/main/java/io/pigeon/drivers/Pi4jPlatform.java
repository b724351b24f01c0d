package io.pigeon.drivers;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.plugin.linuxfs.provider.pwm.LinuxFsPwmProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.pwm.MockPwmProvider;
import io.pigeon.drivers.i2c.SimulatedI2cProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The Pi4J context the GPIO, PWM and I2C drivers use: the Raspberry Pi's kernel interfaces (GPIO character
 * device, /dev/i2c-*, /sys/class/pwm), or Pi4J's mock platform for laptops, tests and the simulator (with
 * an I2C provider whose devices answer like real register maps; see {@link SimulatedI2cProvider}).
 * The context is created on first use, so a config with no GPIO/I2C/PWM device never touches Pi4J.
 */
public final class Pi4jPlatform implements AutoCloseable {
    public enum Kind { RASPBERRYPI, MOCK }

    private final Kind kind;
    private final int pwmChip;
    private Context context;

    private Pi4jPlatform(Kind kind, int pwmChip) {
        this.kind = kind;
        this.pwmChip = pwmChip;
    }

    public static Pi4jPlatform of(String name) {
        return of(name, 0);
    }

    /**
     * @param name {@code auto}, {@code raspberrypi} or {@code mock}
     * @param pwmChip the /sys/class/pwm/pwmchipN of the hardware PWM (0 on a Pi 4, 2 on a Pi 5)
     */
    public static Pi4jPlatform of(String name, int pwmChip) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mock" -> new Pi4jPlatform(Kind.MOCK, pwmChip);
            case "raspberrypi" -> new Pi4jPlatform(Kind.RASPBERRYPI, pwmChip);
            case "auto" -> new Pi4jPlatform(isRaspberryPi() ? Kind.RASPBERRYPI : Kind.MOCK, pwmChip);
            default -> throw new IllegalArgumentException("platform '" + name + "' is not one of auto, raspberrypi, mock");
        };
    }

    /** True on a Raspberry Pi, judged by the device tree's model string. */
    public static boolean isRaspberryPi() {
        try {
            Path model = Path.of("/proc/device-tree/model");
            return Files.isReadable(model) && Files.readString(model).contains("Raspberry Pi");
        } catch (IOException e) {
            return false;
        }
    }

    public Kind kind() {
        return kind;
    }

    public synchronized Context context() {
        if (context == null) {
            context = switch (kind) {
                case MOCK -> Pi4J.newContextBuilder()
                    .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockPwmProvider.newInstance(), new SimulatedI2cProvider())
                    .build();
                case RASPBERRYPI -> Pi4J.newContextBuilder()
                    .add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance(),
                        LinuxFsPwmProvider.newInstance(pwmChip), LinuxFsI2CProvider.newInstance())
                    .build();
            };
        }
        return context;
    }

    public String digitalInputProvider() {
        return kind == Kind.MOCK ? "mock-digital-input" : "gpiod-digital-input";
    }

    public String digitalOutputProvider() {
        return kind == Kind.MOCK ? "mock-digital-output" : "gpiod-digital-output";
    }

    public String pwmProvider() {
        return kind == Kind.MOCK ? "mock-pwm" : "linuxfs-pwm";
    }

    public String i2cProvider() {
        return kind == Kind.MOCK ? "mock-i2c" : "linuxfs-i2c";
    }

    /** The Pi4J IO id of a device: unique in the context. */
    public static String ioId(String device) {
        return "pigeon-" + device;
    }

    /** Opens an I2C device at {@code bus}/{@code address} for {@code device}. */
    public com.pi4j.io.i2c.I2C i2c(String device, int bus, int address) {
        Context c = context();
        return c.create(com.pi4j.io.i2c.I2C.newConfigBuilder(c).id(ioId(device)).name(device).bus(bus).device(address)
            .provider(i2cProvider()));
    }

    /** Shuts down a device's Pi4J IO, if it exists. Never throws. */
    public void release(String device) {
        try {
            Context c = context();
            if (c.registry().exists(ioId(device))) {
                c.shutdown(ioId(device));
            }
        } catch (RuntimeException e) {
            // closing anyway
        }
    }

    /** Turns Pi4J's messages for missing hardware into advice. */
    public String explain(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        if (kind == Kind.RASPBERRYPI && (m.contains("No gpio chip") || m.contains("does not exist")
            || m.contains("gpiochip") || m.contains("/sys/bus/i2c"))) {
            return m + " (is this a Raspberry Pi with the interface enabled in raspi-config? "
                + "On a laptop, set 'platform: mock')";
        }
        return e.getClass().getSimpleName() + ": " + m;
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            try {
                context.shutdown();
            } catch (RuntimeException e) {
                // shutting down anyway
            }
            context = null;
        }
    }
}
