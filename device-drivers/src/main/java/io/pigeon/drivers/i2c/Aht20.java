package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * Aosong AHT20 temperature and humidity sensor (I2C 0x38). At open, a status byte without the calibrated bit
 * (0x08) gets the initialisation command 0xBE 0x08 0x00. A poll triggers a measurement (0xAC 0x33 0x00), waits
 * 80 ms and reads seven bytes: status, 20 bits of humidity, 20 bits of temperature, CRC-8 (as Sensirion's). Still
 * busy (status bit 0x80) or a CRC mismatch is one failed read. RH = raw / 2^20 × 100 %, T = raw / 2^20 × 200 - 50
 * °C (datasheet 6.1).
 */
public final class Aht20 extends I2cSensor {
    static final int STATUS_BUSY = 0x80;
    static final int STATUS_CALIBRATED = 0x08;

    public Aht20(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x38, 0x38);
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        super.open(ctx);
        try {
            int status = i2c.read() & 0xFF;
            if ((status & STATUS_CALIBRATED) == 0) {
                i2c.write(new byte[] {(byte) 0xBE, 0x08, 0x00});
                pause(10);
            }
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("I2C access failed: " + message(e), e);
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        byte[] b = new byte[7];
        try {
            i2c.write(new byte[] {(byte) 0xAC, 0x33, 0x00});
            pause(80);
            i2c.read(b, 0, 7);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + message(e), e);
        }
        if ((b[0] & STATUS_BUSY) != 0) {
            ctx.count("busy_reads");
            throw new DeviceException("the measurement was not finished after 80 ms");
        }
        if (SensirionCrc.crc8(b, 0, 6) != (b[6] & 0xFF)) {
            ctx.count("crc_errors");
            throw new DeviceException("CRC mismatch in the measurement");
        }
        int rawHumidity = ((b[1] & 0xFF) << 12) | ((b[2] & 0xFF) << 4) | ((b[3] & 0xFF) >> 4);
        int rawTemperature = ((b[3] & 0x0F) << 16) | ((b[4] & 0xFF) << 8) | (b[5] & 0xFF);
        ctx.reading("temperature", Value.number(temperature(rawTemperature), "°C"));
        ctx.reading("humidity", Value.number(humidity(rawHumidity), "%"));
    }

    static double humidity(int raw) {
        return Value.round(raw * 100.0 / (1 << 20), 2);
    }

    static double temperature(int raw) {
        return Value.round(raw * 200.0 / (1 << 20) - 50, 2);
    }
}
