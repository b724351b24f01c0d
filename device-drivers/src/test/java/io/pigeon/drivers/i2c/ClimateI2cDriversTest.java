package io.pigeon.drivers.i2c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.sim.Aht20Model;
import io.pigeon.drivers.sim.Lm75Model;
import io.pigeon.drivers.sim.SensirionModel;
import io.pigeon.drivers.sim.SimulatedBoard;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SHT4x, SHT3x, AHT20 and LM75: their datasheets' conversions and CRC as vectors, then each driver through Pi4J's
 * mock platform against a model of the chip, faults included.
 */
class ClimateI2cDriversTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final SimulatedBoard board = new SimulatedBoard();
    private final Pi4jPlatform platform = board.platform();
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
        board.close();
    }

    // ------------------------------------------------------------------ datasheet vectors

    @Test
    void sensirionCrcMatchesTheDatasheetExample() {
        // SHT3x datasheet table 20 and SHT4x datasheet 4.4: CRC(0xBEEF) = 0x92; the AHT20 uses the same CRC.
        assertEquals(0x92, SensirionCrc.crc8(new byte[] {(byte) 0xBE, (byte) 0xEF}, 0, 2));
        assertEquals(0xBEEF, SensirionCrc.word(new byte[] {(byte) 0xBE, (byte) 0xEF, (byte) 0x92}, 0));
        assertEquals(-1, SensirionCrc.word(new byte[] {(byte) 0xBE, (byte) 0xEF, (byte) 0x93}, 0));
        // The same CRC is CRC-8/NRSC-5 in the catalogue of parametrised CRCs: its check value, of "123456789", is 0xF7.
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0xF7, SensirionCrc.crc8(check, 0, check.length));
    }

    @Test
    void conversionsFollowTheDatasheets() {
        // T = -45 + 175 × S / 65535 (both families)
        assertEquals(-45.0, SensirionSht.temperature(0), 1e-9);
        assertEquals(25.0, SensirionSht.temperature(0x6666), 1e-9);
        assertEquals(130.0, SensirionSht.temperature(0xFFFF), 1e-9);
        // SHT4x: RH = -6 + 125 × S / 65535, cropped to 0-100 %
        Sht4x sht4 = new Sht4x(Settings.of("a", Map.of()), platform);
        assertEquals(56.5, sht4.humidity(0x8000), 1e-9);
        assertEquals(0.0, sht4.humidity(0), 1e-9);
        assertEquals(100.0, sht4.humidity(0xFFFF), 1e-9);
        // SHT3x: RH = 100 × S / 65535
        Sht3x sht3 = new Sht3x(Settings.of("b", Map.of()), platform);
        assertEquals(50.0, sht3.humidity(0x8000), 1e-9);
        assertEquals(100.0, sht3.humidity(0xFFFF), 1e-9);
        // AHT20: RH = S / 2^20 × 100 %, T = S / 2^20 × 200 - 50 °C
        assertEquals(50.0, Aht20.humidity(0x80000), 1e-9);
        assertEquals(0.0, Aht20.temperature(0x40000), 1e-9);
        assertEquals(50.0, Aht20.temperature(0x80000), 1e-9);
        assertEquals(-50.0, Aht20.temperature(0), 1e-9);
        // LM75 (TI LM75 datasheet table 1, 9 bits) and LM75B (NXP datasheet table 10, 11 bits)
        assertEquals(125.0, Lm75.celsius((short) 0x7D00, 9), 1e-9);
        assertEquals(25.0, Lm75.celsius((short) 0x1900, 9), 1e-9);
        assertEquals(0.5, Lm75.celsius((short) 0x0080, 9), 1e-9);
        assertEquals(0.0, Lm75.celsius((short) 0x0000, 9), 1e-9);
        assertEquals(-0.5, Lm75.celsius((short) 0xFF80, 9), 1e-9);
        assertEquals(-25.0, Lm75.celsius((short) 0xE700, 9), 1e-9);
        assertEquals(-55.0, Lm75.celsius((short) 0xC900, 9), 1e-9);
        assertEquals(0.125, Lm75.celsius((short) 0x0020, 11), 1e-9);
        assertEquals(-0.125, Lm75.celsius((short) 0xFFE0, 11), 1e-9);
        assertEquals(-54.875, Lm75.celsius((short) 0xC920, 11), 1e-9);
        assertEquals(-55.0, Lm75.celsius((short) 0xC920, 9), 1e-9); // 9 bits keep the 0.5 °C step below
    }

    // ------------------------------------------------------------------ the drivers against chip models

    @Test
    void sht4xAndSht3xReadWhatTheChipMeasuresAndDropABadCrc() throws Exception {
        SensirionModel sht4 = SensirionModel.sht4x();
        SensirionModel sht3 = SensirionModel.sht3x();
        board.i2c(1, 0x44, sht4);
        board.i2c(1, 0x45, sht3);
        Sht4x a = new Sht4x(Settings.of("a", Map.of("precision", "medium")), platform);
        Sht3x b = new Sht3x(Settings.of("b", Map.of("address", "0x45")), platform);
        a.open(ctx);
        b.open(ctx);
        sht4.set(23.45, 61.2);
        sht3.set(-10.5, 12.0);
        a.poll(ctx);
        assertEquals(23.45, ctx.next("temperature", WAIT).number(), 0.011);
        assertEquals(61.2, ctx.next("humidity", WAIT).number(), 0.011);
        b.poll(ctx);
        assertEquals(-10.5, ctx.next("temperature", WAIT).number(), 0.011);
        assertEquals(12.0, ctx.next("humidity", WAIT).number(), 0.011);

        sht4.corruptNextCrc();
        DeviceException e = assertThrows(DeviceException.class, () -> a.poll(ctx));
        assertEquals("CRC mismatch in the measurement", e.getMessage());
        assertEquals(1, ctx.counter("crc_errors"));
        a.poll(ctx); // the next one is good again
        assertEquals(23.45, ctx.next("temperature", WAIT).number(), 0.011);

        sht3.answering(false);
        e = assertThrows(DeviceException.class, () -> b.poll(ctx));
        assertEquals("I2C read failed: Remote I/O error", e.getMessage());
        a.close();
        b.close();
        assertThrows(SettingsException.class, () -> new Sht4x(Settings.of("a", Map.of("precision", "ultra")), platform));
        assertThrows(SettingsException.class, () -> new Sht3x(Settings.of("b", Map.of("address", "0x46")), platform));
    }

    @Test
    void aht20InitialisesAnUncalibratedChipAndDropsABusyRead() throws Exception {
        Aht20Model chip = new Aht20Model();
        board.i2c(1, 0x38, chip);
        Aht20 sensor = new Aht20(Settings.of("air", Map.of()), platform);
        sensor.open(ctx);
        assertEquals(1, chip.initialisations(), "a cold chip gets 0xBE 0x08 0x00");
        chip.set(27.3, 33.3);
        sensor.poll(ctx);
        assertEquals(27.3, ctx.next("temperature", WAIT).number(), 0.011);
        assertEquals(33.3, ctx.next("humidity", WAIT).number(), 0.011);
        sensor.close();
        sensor.open(ctx);
        assertEquals(1, chip.initialisations(), "a calibrated chip is left alone");
        chip.busy(true);
        DeviceException e = assertThrows(DeviceException.class, () -> sensor.poll(ctx));
        assertTrue(e.getMessage().contains("not finished"), e.getMessage());
        assertEquals(1, ctx.counter("busy_reads"));
        sensor.close();
    }

    @Test
    void lm75ReadsItsTemperatureRegisterAtEitherResolution() throws Exception {
        Lm75Model chip = new Lm75Model();
        board.i2c(1, 0x48, chip);
        Lm75 nine = new Lm75(Settings.of("a", Map.of()), platform);
        nine.open(ctx);
        chip.set(-3.375);
        nine.poll(ctx);
        assertEquals(-3.5, ctx.next("temperature", WAIT).number(), 1e-9); // 0.5 °C steps, rounded down as the chip does
        nine.close();
        Lm75 eleven = new Lm75(Settings.of("b", Map.of("resolution", 11)), platform);
        eleven.open(ctx);
        eleven.poll(ctx);
        assertEquals(-3.375, ctx.next("temperature", WAIT).number(), 1e-9);
        eleven.close();
        SettingsException bad = assertThrows(SettingsException.class,
            () -> new Lm75(Settings.of("c", Map.of("resolution", 10)), platform));
        assertTrue(bad.getMessage().contains("9 (0.5 °C"), bad.getMessage());
        assertThrows(SettingsException.class, () -> new Lm75(Settings.of("c", Map.of("address", "0x50")), platform));
    }
}
