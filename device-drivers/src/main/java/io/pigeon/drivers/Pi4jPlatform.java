package io.pigeon.drivers;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2CProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.plugin.linuxfs.provider.pwm.LinuxFsPwmProvider;
import com.pi4j.plugin.linuxfs.provider.spi.LinuxFsSpiProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import com.pi4j.plugin.mock.provider.pwm.MockPwmProvider;
import com.pi4j.plugin.mock.provider.spi.MockSpiProvider;
import io.pigeon.drivers.gpio.PwmPins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The Pi4J context the GPIO, PWM and I2C drivers use: the Raspberry Pi's kernel interfaces (GPIO character
 * device, /dev/i2c-*, /sys/class/pwm), or Pi4J's mock platform for laptops, tests and the simulator (which
 * brings an I2C provider whose devices answer like real register maps: {@link #simulated}).
 * The context is created on first use, so a config with no GPIO/I2C/PWM device never touches Pi4J.
 */
public final class Pi4jPlatform implements AutoCloseable {
    public enum Kind { RASPBERRYPI, MOCK }

    static final Path DEVICE_TREE_MODEL = Path.of("/proc/device-tree/model");
    static final Path SYS_CLASS_PWM = Path.of("/sys/class/pwm");

    private final Kind kind;
    /** The board's model string, e.g. "Raspberry Pi 4 Model B Rev 1.4"; empty off a Pi. */
    private final Optional<String> board;
    /** Whether {@code auto} found no Raspberry Pi and chose the mock platform. */
    private final boolean fellBack;
    private final Integer pwmChipSetting;
    private final Path sysClassPwm;
    private final I2CProvider mockI2c;
    private final com.pi4j.io.spi.@Nullable SpiProvider mockSpi;
    private @Nullable Context context;
    private int pwmChip = -1;
    /** What the devices on this platform share, by key (an expander chip: its lock and its output latch). */
    private final Map<String, Object> shared = new ConcurrentHashMap<>();

    private Pi4jPlatform(Kind kind, Optional<String> board, boolean fellBack, @Nullable Integer pwmChip, Path sysClassPwm,
                         @Nullable I2CProvider mockI2c, com.pi4j.io.spi.@Nullable SpiProvider mockSpi) {
        this.kind = kind;
        this.board = board;
        this.fellBack = fellBack;
        this.pwmChipSetting = pwmChip;
        this.sysClassPwm = sysClassPwm;
        this.mockI2c = mockI2c;
        this.mockSpi = mockSpi;
    }

    /**
     * The one object for {@code key} on this platform, made by {@code make} the first time: what devices share
     * lives as long as the platform they share, not as long as the process.
     */
    public <T> T shared(String key, Class<T> type, Supplier<? extends T> make) {
        return type.cast(shared.computeIfAbsent(key, k -> make.get()));
    }

    /** The mock platform with an I2C provider of the caller's (the simulator's devices); its id must be mock-i2c. */
    public static Pi4jPlatform simulated(I2CProvider i2c) {
        return new Pi4jPlatform(Kind.MOCK, Optional.empty(), false, null, SYS_CLASS_PWM, i2c, null);
    }

    /** As {@link #simulated(I2CProvider)}, with an SPI provider of the caller's too; its id must be mock-spi. */
    public static Pi4jPlatform simulated(I2CProvider i2c, com.pi4j.io.spi.SpiProvider spi) {
        return new Pi4jPlatform(Kind.MOCK, Optional.empty(), false, null, SYS_CLASS_PWM, i2c, spi);
    }

    public static Pi4jPlatform of(String name) {
        return of(name, null);
    }

    /**
     * The platform a config names, on this machine.
     *
     * @param name {@code auto}, {@code raspberrypi} or {@code mock}
     * @param pwmChip the /sys/class/pwm/pwmchipN of the hardware PWM, or null to find it in sysfs
     * @throws IllegalArgumentException for {@code raspberrypi} off a Raspberry Pi, with the reason
     */
    public static Pi4jPlatform of(String name, @Nullable Integer pwmChip) {
        return of(name, pwmChip, boardModel(DEVICE_TREE_MODEL), SYS_CLASS_PWM);
    }

    static Pi4jPlatform of(String name, Integer pwmChip, Optional<String> board, Path sysClassPwm) {
        boolean pi = board.map(m -> m.contains("Raspberry Pi")).orElse(false);
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mock" -> new Pi4jPlatform(Kind.MOCK, board, false, pwmChip, sysClassPwm, null, null);
            case "raspberrypi" -> {
                if (!pi) {
                    throw new IllegalArgumentException("this is not a Raspberry Pi (" + board.map(m -> "the board is '"
                        + m + "'").orElse(DEVICE_TREE_MODEL + " is missing") + "); use 'auto' or 'mock' here");
                }
                yield new Pi4jPlatform(Kind.RASPBERRYPI, board, false, pwmChip, sysClassPwm, null, null);
            }
            case "auto" -> new Pi4jPlatform(pi ? Kind.RASPBERRYPI : Kind.MOCK, board, !pi, pwmChip, sysClassPwm, null, null);
            default -> throw new IllegalArgumentException("platform '" + name + "' is not one of auto, raspberrypi, mock");
        };
    }

    /** The device tree's model string, without its trailing NUL; empty when there is none. */
    static Optional<String> boardModel(Path file) {
        try {
            if (Files.isReadable(file)) {
                String m = Files.readString(file).replace("\u0000", "").strip();
                return m.isEmpty() ? Optional.empty() : Optional.of(m);
            }
        } catch (IOException | RuntimeException e) {
            // no model: not a Pi
        }
        return Optional.empty();
    }

    /** True on a Raspberry Pi, judged by the device tree's model string. */
    public static boolean isRaspberryPi() {
        return boardModel(DEVICE_TREE_MODEL).map(m -> m.contains("Raspberry Pi")).orElse(false);
    }

    public Kind kind() {
        return kind;
    }

    /** Whether {@code platform: auto} found no Raspberry Pi and simulates GPIO, I2C and PWM instead. */
    public boolean fellBack() {
        return fellBack;
    }

    /** A Pi 5 (or Compute Module 5), whose PWM is RP1's. */
    public boolean pi5() {
        return board.map(m -> m.contains("Raspberry Pi 5") || m.contains("Compute Module 5")).orElse(false);
    }

    /** "raspberrypi" or "mock": what the health report names. */
    public String name() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** For the start-up log: platform, board and the Pi4J providers in use. */
    public String describe() {
        String providers = String.join(", ", digitalInputProvider(), digitalOutputProvider(), i2cProvider(),
            pwmProvider(), spiProvider());
        return name() + " on " + board.map(m -> "'" + m + "'").orElse("a board that is not a Raspberry Pi")
            + "; Pi4J providers " + providers
            + (kind == Kind.RASPBERRYPI ? "; hardware PWM " + pwmChipDescription() : "");
    }

    private String pwmChipDescription() {
        int chip = pwmChip();
        return chip < 0 ? "not found in " + sysClassPwm + " (enable dtoverlay=pwm-2chan for PWM devices)"
            : sysClassPwm.resolve("pwmchip" + chip).toString();
    }

    /** The pwmchip of the header's PWM: as configured, or found in sysfs; -1 when there is none. */
    public synchronized int pwmChip() {
        if (pwmChip < 0) {
            pwmChip = pwmChipSetting != null ? pwmChipSetting : PwmPins.detectChip(sysClassPwm, pi5()).orElse(-1);
        }
        return pwmChip;
    }

    /** The hardware PWM channel of a BCM pin on this board, or empty when the pin has none. */
    public OptionalInt pwmChannel(int bcm) {
        return PwmPins.channel(pi5(), bcm);
    }

    public synchronized Context context() {
        if (context == null) {
            context = switch (kind) {
                case MOCK -> Pi4J.newContextBuilder()
                    .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance(),
                        MockPwmProvider.newInstance(), mockI2c != null ? mockI2c : MockI2CProvider.newInstance(),
                        mockSpi != null ? mockSpi : MockSpiProvider.newInstance())
                    .build();
                case RASPBERRYPI -> Pi4J.newContextBuilder()
                    .add(GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance(),
                        LinuxFsPwmProvider.newInstance(Math.max(0, pwmChip())), LinuxFsI2CProvider.newInstance(),
                        LinuxFsSpiProvider.newInstance())
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

    /**
     * Whether an I2C read says something about what is on the bus: true on a Pi, and on the simulator's platform
     * (its chips answer, the rest does not); false on the plain mock platform, whose I2C answers at every address.
     */
    public boolean i2cAnswersTruly() {
        return kind != Kind.MOCK || mockI2c != null;
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

    public String spiProvider() {
        return kind == Kind.MOCK ? "mock-spi" : "linuxfs-spi";
    }

    /** Opens SPI bus {@code bus}, chip select {@code channel} (/dev/spidevB.C), mode 0, for {@code device}. */
    public com.pi4j.io.spi.Spi spi(String device, int bus, int channel, int hz) {
        Context c = context();
        return c.create(com.pi4j.io.spi.Spi.newConfigBuilder(c).id(ioId(device)).name(device).bus(bus).channel(channel)
            .baud(hz).mode(0).provider(spiProvider()));
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
