package io.pigeon.sim;

import com.pi4j.context.Context;
import com.pi4j.io.IO;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.pwm.Pwm;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.sim.Ads1x15Model;
import io.pigeon.drivers.sim.Aht20Model;
import io.pigeon.drivers.sim.Bh1750Model;
import io.pigeon.drivers.sim.Bme280Model;
import io.pigeon.drivers.sim.Ina219Model;
import io.pigeon.drivers.sim.Lm75Model;
import io.pigeon.drivers.sim.Mcp23017Model;
import io.pigeon.drivers.sim.Mcp3008Model;
import io.pigeon.drivers.sim.Pcf8574Model;
import io.pigeon.drivers.sim.SensirionModel;
import io.pigeon.drivers.sim.SimulatedI2cProvider;
import io.pigeon.drivers.sim.SimulatedSpiProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * The GPIO, PWM, I2C and 1-Wire side of the simulation, on Pi4J's mock platform shared with the gateway:
 * a BME280, a BH1750, an SHT4x (the cellar), an AHT20 (a cabinet) and an LM75 (a board) that answer as their
 * datasheets say; a sysfs tree with the Pi's {@code cpu_thermal} hwmon sensor and a DHT22 the kernel's dht11 IIO
 * driver reads (which, like the real one, now and then fails a read: fault {@code fail}); a door contact that opens now and then, a
 * doorbell on an MCP23017 (pressed for a second every 20 s, the chip's INT output pulled low on each change), a water meter
 * that pulses, a DS18B20 in a sysfs-like directory; and the heater relay and fan PWM it watches to
 * warm or cool the {@link World}. Faults: {@code stop} (an I2C device stops answering), {@code bounce}
 * (the door contact chatters).
 */
public final class HardwareSim {
    static final int BME280_ADDRESS = 0x76;
    static final int BH1750_ADDRESS = 0x23;
    static final int SHT4X_ADDRESS = 0x44;
    static final int AHT20_ADDRESS = 0x38;
    static final int LM75_ADDRESS = 0x48;
    static final int ADS1115_ADDRESS = 0x49;
    static final int INA219_ADDRESS = 0x40;
    static final int SHT3X_ADDRESS = 0x45;
    static final int MCP23017_ADDRESS = 0x20;
    static final int PCF8574_ADDRESS = 0x27;

    private final Pi4jPlatform platform;
    private final World world;
    private final Path oneWire;
    private final Path sysfs;
    private volatile boolean dhtFailing;
    private final Bme280Model bme = new Bme280Model(Bme280Model.TYPICAL);
    private final Bh1750Model light = new Bh1750Model();
    private final SensirionModel cellar = SensirionModel.sht4x();
    private final Aht20Model cabinet = new Aht20Model();
    private final Lm75Model board = new Lm75Model();
    private final Ads1x15Model adc = new Ads1x15Model(false);   // a soil probe on input 0
    private final Ina219Model power = new Ina219Model(0.1);     // the 5 V supply of the board
    private final Mcp3008Model knobs = new Mcp3008Model(3.3);    // SPI 0.0: a potentiometer on CH0, a light sensor on CH1
    private final SensirionModel attic = SensirionModel.sht3x();
    private final Mcp23017Model buttons = new Mcp23017Model();   // a panel of buttons and LEDs
    private final Pcf8574Model relays = new Pcf8574Model();      // an 8-relay board
    private long ticks;

    public HardwareSim(Pi4jPlatform platform, World world, Path oneWire, Path sysfs) throws IOException {
        this.platform = platform;
        this.world = world;
        this.oneWire = oneWire;
        this.sysfs = sysfs;
        Files.createDirectories(hwmon());
        Files.writeString(hwmon().resolve("name"), "cpu_thermal\n");
        Files.createDirectories(dht());
        Files.writeString(dht().resolve("name"), "dht11\n");
        // What pigeon scan looks at besides: the I2C bus, a GPIO chip and a PWM chip, as a Pi 4 has them.
        Files.createDirectories(sysfs.resolve("class/i2c-dev/i2c-1"));
        Path gpio = Files.createDirectories(sysfs.resolve("class/gpio/gpiochip0"));
        Files.writeString(gpio.resolve("label"), "pinctrl-bcm2711\n");
        Files.writeString(gpio.resolve("ngpio"), "58\n");
        Files.writeString(Files.createDirectories(sysfs.resolve("class/pwm/pwmchip0")).resolve("npwm"), "2\n");
        SimulatedI2cProvider.register(1, BME280_ADDRESS, bme);
        SimulatedI2cProvider.register(1, BH1750_ADDRESS, light);
        SimulatedI2cProvider.register(1, SHT4X_ADDRESS, cellar);
        SimulatedI2cProvider.register(1, AHT20_ADDRESS, cabinet);
        SimulatedI2cProvider.register(1, LM75_ADDRESS, board);
        SimulatedI2cProvider.register(1, ADS1115_ADDRESS, adc);
        SimulatedI2cProvider.register(1, INA219_ADDRESS, power);
        SimulatedSpiProvider.register(0, 0, knobs);
        SimulatedI2cProvider.register(1, SHT3X_ADDRESS, attic);
        SimulatedI2cProvider.register(1, MCP23017_ADDRESS, buttons);
        SimulatedI2cProvider.register(1, PCF8574_ADDRESS, relays);
        Files.createDirectories(oneWire.resolve("28-00000a1b2c3d"));
        update();
    }

    public Path oneWireDir() {
        return oneWire;
    }

    public Path sysfsRoot() {
        return sysfs;
    }

    private Path hwmon() {
        return sysfs.resolve("class/hwmon/hwmon0");
    }

    private Path dht() {
        return sysfs.resolve("bus/iio/devices/iio:device0");
    }

    /** Called once a second. */
    public void tick() {
        ticks++;
        update();
        MockDigitalInput door = input("door");
        if (door != null && ticks % 45 == 0) {
            door.mockState(door.state() == DigitalState.HIGH ? DigitalState.LOW : DigitalState.HIGH);
        }
        if (ticks % 20 == 3 || ticks % 20 == 4) { // the doorbell, pressed for a second
            buttons.drive(8, ticks % 20 == 4);
            MockDigitalInput line = input("mcp23017-1-20-int"); // the chip's INT output: low on a change
            if (line != null) {
                line.mockState(DigitalState.HIGH); // idle, as the pull-up holds it (the mock starts low)
                line.mockState(DigitalState.LOW);
                line.mockState(DigitalState.HIGH);
            }
        }
        MockDigitalInput water = input("water");
        if (water != null) {
            int pulses = (int) (3 + world.uniform() * 4);
            for (int i = 0; i < pulses; i++) {
                water.mockState(DigitalState.HIGH);
                water.mockState(DigitalState.LOW);
            }
        }
    }

    private void update() {
        // Actuators first: the gateway drives them, the world feels them.
        Context c = platform.context();
        IO<?, ?, ?> heater = find(c, "heater");
        if (heater instanceof DigitalOutput out) {
            world.heater(out.isHigh());
        }
        IO<?, ?, ?> fan = find(c, "fan");
        if (fan instanceof Pwm pwm) {
            world.fan(pwm.isOn() ? pwm.getDutyCycle() : 0);
        }
        bme.set(world.temperature(), world.humidity(), world.pressure());
        light.lux(Math.max(0, 300 + 200 * Math.sin(ticks / 60.0) + world.noise(5)));
        // The cellar is cooler and damper than the room, the cabinet warmer and drier, the board warmer still.
        cellar.set(world.temperature() - 6 + world.noise(0.05), Math.min(100, world.humidity() + 15));
        cabinet.set(world.temperature() + 8 + world.noise(0.05), Math.max(0, world.humidity() - 10));
        board.set(world.temperature() + 20 + world.noise(0.2));
        adc.set(0, 1.2 + 1.6 * (1 - world.humidity() / 100) + world.noise(0.01)); // drier air, drier soil, higher volts
        power.set(5.05 + world.noise(0.01), 0.6 + (world.heaterOn() ? 0.3 : 0) + world.noise(0.01));
        knobs.set(0, 1.1);
        attic.set(world.temperature() + 4 + world.noise(0.05), Math.max(0, world.humidity() - 5));
        knobs.set(1, Math.max(0, Math.min(3.3, 1.5 + Math.sin(ticks / 60.0) + world.noise(0.02))));
        try {
            double tank = world.temperature() - 4 + world.noise(0.05);
            int milli = (int) Math.round(tank * 1000);
            Files.writeString(oneWire.resolve("28-00000a1b2c3d").resolve("w1_slave"),
                "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=" + milli + "\n");
        } catch (IOException e) {
            Logger.warn("sim: cannot write the 1-Wire file: {}", e.getMessage());
        }
        try {
            // hwmon: millidegrees; the CPU warms with the room and a little load. IIO: milli-units, as the ABI says.
            writeAtomically(hwmon().resolve("temp1_input"), Math.round((world.temperature() + 25 + world.noise(1)) * 1000));
            Path temp = dht().resolve("in_temp_input");
            if (dhtFailing) {
                // The dht11 driver's EIO: here, a file that cannot be read as one.
                Files.deleteIfExists(temp);
                Files.createDirectories(temp);
            } else {
                if (Files.isDirectory(temp)) {
                    Files.delete(temp);
                }
                writeAtomically(temp, Math.round((world.temperature() - 2) * 10) * 100);
            }
            writeAtomically(dht().resolve("in_humidityrelative_input"), Math.round(world.humidity() * 10) * 100);
        } catch (IOException e) {
            Logger.warn("sim: cannot write the sysfs files: {}", e.getMessage());
        }
    }

    private static @Nullable IO<?, ?, ?> find(Context c, String device) {
        String id = Pi4jPlatform.ioId(device);
        return c.registry().exists(id) ? c.registry().get(id) : null;
    }

    private @Nullable MockDigitalInput input(String device) {
        IO<?, ?, ?> io = find(platform.context(), device);
        return io instanceof MockDigitalInput in ? in : null;
    }

    /** Applies a fault to a GPIO or I2C device; false if the device is not one of these. */
    /** A sysfs value written whole: a reader never sees half a number. */
    private static void writeAtomically(Path file, long value) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, value + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public boolean fault(String device, String kind, boolean on) {
        switch (device + ":" + kind.toLowerCase(Locale.ROOT)) {
            case "room:stop" -> bme.answering(!on);
            case "light:stop" -> light.answering(!on);
            case "cellar:stop" -> cellar.answering(!on);
            case "dht:fail" -> dhtFailing = on;
            case "door:bounce" -> {
                MockDigitalInput door = input("door");
                if (door != null && on) {
                    for (int i = 0; i < 20; i++) {
                        door.mockState(i % 2 == 0 ? DigitalState.HIGH : DigitalState.LOW);
                    }
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    public void close() {
        SimulatedI2cProvider.unregister(1, BME280_ADDRESS);
        SimulatedI2cProvider.unregister(1, BH1750_ADDRESS);
        SimulatedI2cProvider.unregister(1, SHT4X_ADDRESS);
        SimulatedI2cProvider.unregister(1, AHT20_ADDRESS);
        SimulatedI2cProvider.unregister(1, LM75_ADDRESS);
        SimulatedI2cProvider.unregister(1, ADS1115_ADDRESS);
        SimulatedI2cProvider.unregister(1, INA219_ADDRESS);
        SimulatedSpiProvider.unregister(0, 0);
        SimulatedI2cProvider.unregister(1, SHT3X_ADDRESS);
        SimulatedI2cProvider.unregister(1, MCP23017_ADDRESS);
        SimulatedI2cProvider.unregister(1, PCF8574_ADDRESS);
    }
}
