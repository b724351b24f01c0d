package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * TI INA219 current and power monitor (I2C 0x40-0x4F), left in its power-up configuration (0x399F: 32 V bus
 * range, ±320 mV shunt range, 12 bits, continuous): the shunt voltage register (signed, 10 µV a count) divided by
 * {@code shunt_ohms} (default 0.1 Ω, the usual breakout) is the current, the bus voltage register (bits 15-3,
 * 4 mV a count) the voltage, their product the power. Nothing is written, so no calibration can go wrong; a bus
 * register that says "math overflow" is one failed read; a shunt register at full scale is counted as
 * {@code over_range}. Readings {@code voltage} (V), {@code current} (A),
 * {@code power} (W).
 */
public final class Ina219 extends I2cSensor {
    /** The shunt register's largest magnitude at ±320 mV (datasheet 8.6.3.2: 7D00h). */
    private static final int SHUNT_FULL_SCALE = 32_000;
    private final double shuntOhms;

    public Ina219(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x40, 0x4F);
        this.shuntOhms = s.number("shunt_ohms", 0.1, 0.0001, 100);
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        int shunt;
        int bus;
        try {
            shunt = word(0x01);
            bus = word(0x02);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + message(e), e);
        }
        if ((bus & 0x0001) != 0) {
            ctx.count("overflows");
            throw new DeviceException("the INA219 reports a math overflow (a current beyond its range)");
        }
        if (Math.abs((short) shunt) >= SHUNT_FULL_SCALE) {
            // A larger current reads as the range's end: still published (a bound an automation can act on), and
            // counted, so that health shows the shunt is too large for this current.
            ctx.count("over_range");
        }
        double volts = busVolts(bus);
        double amps = shuntVolts((short) shunt) / shuntOhms;
        ctx.reading("voltage", Value.number(volts, "V"));
        ctx.reading("current", Value.number(Value.round(amps, 6), "A"));
        ctx.reading("power", Value.number(Value.round(volts * amps, 6), "W"));
    }

    private int word(int register) {
        byte[] b = new byte[2];
        i2c.readRegister(register, b, 0, 2);
        return ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
    }

    /** Shunt voltage register: signed, 10 µV a count (datasheet 8.6.3.2). */
    static double shuntVolts(short register) {
        return register * 10e-6;
    }

    /** Bus voltage register: bits 15-3, 4 mV a count (datasheet 8.6.3.3). */
    static double busVolts(int register) {
        return (register >> 3) * 4 / 1000.0;
    }
}
