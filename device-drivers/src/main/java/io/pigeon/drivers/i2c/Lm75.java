package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * LM75 temperature sensor and its kin (LM75A/B, TMP75, MAX7500, ...; I2C 0x48-0x4F): the temperature register
 * (pointer 0), two bytes, two's complement left-justified. {@code resolution} 9 (default: 0.5 °C, every LM75)
 * or 11 bits (0.125 °C: LM75B, LM75A). Nothing is written but the pointer: the chip stays as it powered up.
 */
public final class Lm75 extends I2cSensor {
    private final int resolution;

    public Lm75(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x48, 0x4F);
        this.resolution = s.integer("resolution", 9, 9, 11);
        if (resolution == 10) {
            throw s.error("resolution", "9 (0.5 °C, every LM75) or 11 bits (0.125 °C: LM75A/B)");
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        byte[] b = new byte[2];
        try {
            i2c.readRegister(0x00, b, 0, 2);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + message(e), e);
        }
        short register = (short) (((b[0] & 0xFF) << 8) | (b[1] & 0xFF));
        ctx.reading("temperature", Value.number(celsius(register, resolution), "°C"));
    }

    /** The register's 16 bits, kept to {@code bits} of resolution: 9 bits are 0.5 °C steps, 11 bits 0.125 °C. */
    static double celsius(short register, int bits) {
        int shift = 16 - bits;
        return (register >> shift) * (1.0 / (1 << (bits - 8)));
    }
}
