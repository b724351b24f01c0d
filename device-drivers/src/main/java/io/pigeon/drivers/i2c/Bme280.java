package io.pigeon.drivers.i2c;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.util.List;

/**
 * Bosch BME280 temperature, humidity and pressure sensor on I2C (0x76 or 0x77), read in forced mode at
 * each poll with 1× oversampling: one conversion per reading, so the sensor idles (and does not warm
 * itself) between polls. Opening does what Bosch's driver does: a soft reset, a wait until the sensor has
 * copied its calibration from NVM ({@code im_update}), then the calibration and the {@code config} register
 * (IIR {@code filter}, {@code standby_ms}) from the settings.
 */
public final class Bme280 extends I2cSensor {
    public static final int REG_ID = 0xD0;
    public static final int REG_CALIB_TP = 0x88;
    public static final int REG_CALIB_H = 0xE1;
    public static final int REG_CTRL_HUM = 0xF2;
    public static final int REG_STATUS = 0xF3;
    public static final int REG_CTRL_MEAS = 0xF4;
    public static final int REG_CONFIG = 0xF5;
    public static final int REG_DATA = 0xF7;
    public static final int REG_RESET = 0xE0;
    public static final int RESET_WORD = 0xB6;
    public static final int STATUS_IM_UPDATE = 0x01;
    public static final int STATUS_MEASURING = 0x08;
    private static final List<String> FILTERS = List.of("off", "2", "4", "8", "16");
    private static final List<String> STANDBY_MS = List.of("0.5", "62.5", "125", "250", "500", "1000", "10", "20");
    public static final int CHIP_ID = 0x60;

    private final int config;
    private Bme280Calibration calibration;

    public Bme280(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x76, 0x77);
        int filter = FILTERS.indexOf(s.choice("filter", "off", FILTERS.toArray(String[]::new)));
        int standby = STANDBY_MS.indexOf(s.choice("standby_ms", "1000", STANDBY_MS.toArray(String[]::new)));
        this.config = standby << 5 | filter << 2;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        try {
            openBus();
            int id = i2c.readRegister(REG_ID);
            if (id != CHIP_ID) {
                throw new DeviceException(String.format("chip id 0x%02X at I2C %d/0x%02X is not a BME280 (0x60)%s",
                    id, bus, address, id == 0x58 ? "; 0x58 is a BMP280, which has no humidity sensor" : ""));
            }
            i2c.writeRegister(REG_RESET, (byte) RESET_WORD);
            awaitNvmCopy();
            byte[] tp = new byte[26];
            byte[] h = new byte[7];
            i2c.readRegister(REG_CALIB_TP, tp, 0, tp.length);
            i2c.readRegister(REG_CALIB_H, h, 0, h.length);
            calibration = Bme280Calibration.parse(tp, h);
            i2c.writeRegister(REG_CONFIG, (byte) config); // taken only in sleep mode, where a reset leaves it
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("I2C read failed: " + message(e), e);
        } catch (DeviceException e) {
            close();
            throw e;
        }
    }

    /** After a reset: 2 ms start-up, then until {@code im_update} clears (it takes well under 10 ms). */
    private void awaitNvmCopy() throws DeviceException {
        try {
            for (int i = 0; i < 25; i++) {
                Thread.sleep(2);
                if ((i2c.readRegister(REG_STATUS) & STATUS_IM_UPDATE) == 0) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException("interrupted");
        }
        throw new DeviceException(String.format("BME280 at I2C %d/0x%02X still copying its calibration 50 ms after a "
            + "reset", bus, address));
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        byte[] d = new byte[8];
        try {
            i2c.writeRegister(REG_CTRL_HUM, (byte) 0x01);       // humidity oversampling ×1
            i2c.writeRegister(REG_CTRL_MEAS, (byte) 0x25);      // temperature ×1, pressure ×1, forced mode
            for (int i = 0; i < 50 && (i2c.readRegister(REG_STATUS) & STATUS_MEASURING) != 0; i++) {
                Thread.sleep(2);                                // a ×1 conversion takes under 10 ms
            }
            i2c.readRegister(REG_DATA, d, 0, d.length);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + message(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException("interrupted");
        }
        int adcP = (d[0] & 0xFF) << 12 | (d[1] & 0xFF) << 4 | (d[2] & 0xFF) >> 4;
        int adcT = (d[3] & 0xFF) << 12 | (d[4] & 0xFF) << 4 | (d[5] & 0xFF) >> 4;
        int adcH = (d[6] & 0xFF) << 8 | (d[7] & 0xFF);
        if (adcT == 0x80000 || adcP == 0x80000) {
            // The reset value of the data registers: no conversion has happened.
            ctx.count("no_conversion");
            throw new DeviceException("BME280 returned no measurement (data registers at their reset value)");
        }
        int tFine = calibration.tFine(adcT);
        ctx.reading("temperature", Value.number(calibration.temperature(tFine) / 100.0, "°C"));
        ctx.reading("humidity", Value.number(calibration.humidity(adcH, tFine) / 1024.0, "%"));
        ctx.reading("pressure", Value.number(calibration.pressure(adcP, tFine) / 25600.0, "hPa"));
    }
}
