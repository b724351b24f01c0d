package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * What Sensirion's SHT3x and SHT4x share: a single-shot measurement command, a wait, then six bytes (temperature
 * word, CRC, humidity word, CRC). A CRC mismatch is one failed read ({@code crc_errors}), never a published value.
 * The subclasses give the commands, the wait and the humidity formula from their datasheets.
 */
abstract class SensirionSht extends I2cSensor {
    SensirionSht(Settings s, Pi4jPlatform platform, int defaultAddress, int maxAddress) {
        super(s, platform, defaultAddress, maxAddress);
    }

    /** The measurement command, as written (one byte for SHT4x, two for SHT3x). */
    abstract byte[] measureCommand();

    /** The soft-reset command. */
    abstract byte[] resetCommand();

    /** The longest measurement at the chosen precision, in milliseconds. */
    abstract long measureMillis();

    /** Relative humidity in % from the raw word, within 0-100. */
    abstract double humidity(int raw);

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        super.open(ctx);
        try {
            i2c.write(resetCommand());
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("I2C write failed: " + message(e), e);
        }
        pause(2); // soft reset: at most 1 ms (SHT4x), 1.5 ms (SHT3x)
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        byte[] b = new byte[6];
        try {
            i2c.write(measureCommand());
            pause(measureMillis());
            i2c.read(b, 0, 6);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + message(e), e);
        }
        int t = SensirionCrc.word(b, 0);
        int rh = SensirionCrc.word(b, 3);
        if (t < 0 || rh < 0) {
            ctx.count("crc_errors");
            throw new DeviceException("CRC mismatch in the measurement");
        }
        ctx.reading("temperature", Value.number(temperature(t), "°C"));
        ctx.reading("humidity", Value.number(humidity(rh), "%"));
    }

    /** Both families: T = -45 + 175 × raw / 65535 °C, to 0.01 °C. */
    static double temperature(int raw) {
        return Value.round(-45 + 175.0 * raw / 65_535, 2);
    }
}
