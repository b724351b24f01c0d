package io.pigeon.drivers.i2c;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * Sensirion SHT30/31/35 temperature and humidity sensor (I2C 0x44, or 0x45 with ADDR high). Single shot, high
 * repeatability, no clock stretching (command 0x2400, at most 15.5 ms: datasheet table 4); soft reset 0x30A2.
 * RH = 100 × raw / 65535.
 */
public final class Sht3x extends SensirionSht {
    public Sht3x(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x44, 0x45);
    }

    @Override
    byte[] measureCommand() {
        return new byte[] {0x24, 0x00};
    }

    @Override
    byte[] resetCommand() {
        return new byte[] {0x30, (byte) 0xA2};
    }

    @Override
    long measureMillis() {
        return 16;
    }

    @Override
    double humidity(int raw) {
        return Value.round(100.0 * raw / 65_535, 2);
    }
}
