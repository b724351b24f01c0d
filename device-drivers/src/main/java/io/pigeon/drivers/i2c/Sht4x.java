package io.pigeon.drivers.i2c;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * Sensirion SHT40/41/45 temperature and humidity sensor (I2C 0x44; 0x45 or 0x46 for the -BD1B/-CD1B parts).
 * {@code precision} high (default), medium or low: commands 0xFD, 0xF6, 0xE0 with at most 8.3, 4.5 and 1.7 ms
 * of measurement (datasheet 1.6, table 7). RH = -6 + 125 × raw / 65535, cropped to 0-100 % as the datasheet
 * says; the heater is never switched on.
 */
public final class Sht4x extends SensirionSht {
    private final int command;
    private final long millis;

    public Sht4x(Settings s, Pi4jPlatform platform) {
        super(s, platform, 0x44, 0x46);
        String precision = s.choice("precision", "high", "high", "medium", "low");
        this.command = switch (precision) {
            case "medium" -> 0xF6;
            case "low" -> 0xE0;
            default -> 0xFD;
        };
        this.millis = switch (precision) {
            case "medium" -> 5;
            case "low" -> 2;
            default -> 9;
        };
    }

    @Override
    byte[] measureCommand() {
        return new byte[] {(byte) command};
    }

    @Override
    byte[] resetCommand() {
        return new byte[] {(byte) 0x94};
    }

    @Override
    long measureMillis() {
        return millis;
    }

    @Override
    double humidity(int raw) {
        return Value.round(Math.max(0, Math.min(100, -6 + 125.0 * raw / 65_535)), 2);
    }
}
