package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * ROHM BH1750 ambient light sensor on I2C (0x23, or 0x5C with ADDR high), in continuous high-resolution
 * mode: each poll reads the latest conversion (lux = count / 1.2 × 69 / MTreg, datasheet p. 10-11).
 * {@code mtreg} (31-254, default 69) sets the sensitivity: higher reads dimmer light, and each conversion
 * takes longer (at most 180 ms × MTreg / 69), so the first poll after an open waits for the first conversion
 * instead of reading the 0 the sensor holds until then.
 */
public final class Bh1750 extends I2cSensor {
    static final int POWER_ON = 0x01;
    static final int CONTINUOUS_HIGH_RES = 0x10;
    static final int DEFAULT_MTREG = 69;
    /** The longest high-resolution conversion at the default MTreg (datasheet: typ. 120 ms, max. 180 ms). */
    static final long MAX_CONVERSION_MILLIS = 180;

    private final int mtreg;
    private long firstConversionNanos;

    public Bh1750(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x23, 0x5C);
        if (address != 0x23 && address != 0x5C) {
            throw s.error("address", "a BH1750 answers at 0x23 or 0x5C");
        }
        this.mtreg = s.integer("mtreg", DEFAULT_MTREG, 31, 254);
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        try {
            openBus();
            i2c.write((byte) POWER_ON);
            i2c.write((byte) (0x40 | (mtreg >> 5)));      // measurement time, high 3 bits
            i2c.write((byte) (0x60 | (mtreg & 0x1F)));    // measurement time, low 5 bits
            i2c.write((byte) CONTINUOUS_HIGH_RES);
            firstConversionNanos = System.nanoTime() + conversionMillis(mtreg) * 1_000_000;
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("I2C write failed: " + message(e), e);
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        byte[] b = new byte[2];
        try {
            long wait = firstConversionNanos - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000 + 1);
            }
            i2c.read(b, 0, 2);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + message(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException("interrupted");
        }
        int count = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
        if (count == 0xFFFF) {
            ctx.count("over_range"); // saturated (sunlight at a long MTreg): published as the range's end, and counted
        }
        ctx.reading("illuminance", Value.number(lux(count, mtreg), "lx"));
    }

    /** The longest conversion at this MTreg, in milliseconds. */
    static long conversionMillis(int mtreg) {
        return (MAX_CONVERSION_MILLIS * mtreg + DEFAULT_MTREG - 1) / DEFAULT_MTREG;
    }

    /** Lux from a high-resolution count at an MTreg, to 0.1 lx. */
    static double lux(int count, int mtreg) {
        return Value.round(count / 1.2 * DEFAULT_MTREG / mtreg, 1);
    }
}
