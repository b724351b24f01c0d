package io.pigeon.drivers;

import io.pigeon.drivers.expander.ExpanderInput;
import io.pigeon.drivers.expander.ExpanderOutput;
import io.pigeon.drivers.gpio.GpioInput;
import io.pigeon.drivers.gpio.GpioOutput;
import io.pigeon.drivers.gpio.PulseCounter;
import io.pigeon.drivers.gpio.PwmOutput;
import io.pigeon.drivers.i2c.Ads1x15;
import io.pigeon.drivers.i2c.Aht20;
import io.pigeon.drivers.i2c.Bh1750;
import io.pigeon.drivers.i2c.Bme280;
import io.pigeon.drivers.i2c.Ina219;
import io.pigeon.drivers.i2c.Lm75;
import io.pigeon.drivers.i2c.Sht3x;
import io.pigeon.drivers.i2c.Sht4x;
import io.pigeon.drivers.onewire.Ds18b20;
import io.pigeon.drivers.serial.Mhz19;
import io.pigeon.drivers.serial.ModbusRtu;
import io.pigeon.drivers.serial.NmeaGps;
import io.pigeon.drivers.serial.Pms5003;
import io.pigeon.drivers.serial.Sds011;
import io.pigeon.drivers.serial.SerialLineSensor;
import io.pigeon.drivers.spi.Mcp3008;
import io.pigeon.drivers.sysfs.Hwmon;
import io.pigeon.drivers.sysfs.Iio;
import java.nio.file.Path;
import java.util.List;

/** Every driver by its config name, and how to build one from its settings. */
public final class Drivers {
    /** What the drivers need of the machine. */
    public record Hardware(Pi4jPlatform platform, Path oneWireBase, Path sysfsRoot) {
        public Hardware(Pi4jPlatform platform, Path oneWireBase) {
            this(platform, oneWireBase, Path.of("/sys"));
        }
    }

    public static final List<String> NAMES = List.of("gpio-in", "gpio-out", "pwm",
        "bme280", "bh1750", "sht4x", "sht3x", "aht20", "lm75", "ads1x15", "ina219", "mcp3008", "ds18b20", "hwmon", "iio",
        "serial-line", "nmea", "pms5003", "sds011", "mhz19", "modbus-rtu");

    private Drivers() {
    }

    /**
     * Builds a device. Settings errors are {@link SettingsException}s naming the device and the field; the
     * caller checks for unknown keys afterwards with {@link Settings#rejectUnknown}.
     */
    public static Device create(String driver, Settings s, Hardware hw) {
        return switch (driver) {
            case "gpio-in" -> s.has("expander") ? new ExpanderInput(s, hw.platform())
                : s.bool("counter", false) ? new PulseCounter(s, hw.platform()) : new GpioInput(s, hw.platform());
            case "gpio-out" -> s.has("expander") ? new ExpanderOutput(s, hw.platform()) : new GpioOutput(s, hw.platform());
            case "pwm" -> new PwmOutput(s, hw.platform());
            case "bme280" -> new Bme280(s, hw.platform());
            case "bh1750" -> new Bh1750(s, hw.platform());
            case "sht4x" -> new Sht4x(s, hw.platform());
            case "sht3x" -> new Sht3x(s, hw.platform());
            case "aht20" -> new Aht20(s, hw.platform());
            case "lm75" -> new Lm75(s, hw.platform());
            case "ads1x15" -> new Ads1x15(s, hw.platform());
            case "ina219" -> new Ina219(s, hw.platform());
            case "mcp3008" -> new Mcp3008(s, hw.platform());
            case "ds18b20" -> new Ds18b20(s, hw.oneWireBase());
            case "hwmon" -> new Hwmon(s, hw.sysfsRoot());
            case "iio" -> new Iio(s, hw.sysfsRoot());
            case "serial-line" -> new SerialLineSensor(s);
            case "nmea" -> new NmeaGps(s);
            case "pms5003" -> new Pms5003(s);
            case "sds011" -> new Sds011(s);
            case "mhz19" -> new Mhz19(s);
            case "modbus-rtu" -> new ModbusRtu(s);
            default -> {
                String hint = Settings.closest(driver, NAMES);
                throw s.error("driver", "unknown driver '" + driver + "'"
                    + (hint != null ? " (did you mean '" + hint + "'?)" : "; one of " + String.join(", ", NAMES)));
            }
        };
    }
}
