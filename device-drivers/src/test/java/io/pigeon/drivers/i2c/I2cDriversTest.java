package io.pigeon.drivers.i2c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.sim.Bh1750Model;
import io.pigeon.drivers.sim.Bme280Model;
import io.pigeon.drivers.sim.I2cModel;
import io.pigeon.drivers.sim.SimulatedBoard;
import io.pigeon.drivers.sim.SimulatedI2cProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** BME280 and BH1750 through Pi4J's mock platform with a register-map provider. */
class I2cDriversTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final SimulatedBoard board = new SimulatedBoard();
    private final Pi4jPlatform platform = board.platform();
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
        board.close();
    }

    @Test
    void bme280ReadsWhatTheSensorMeasures() throws Exception {
        Bme280Model model = new Bme280Model(Bme280Model.TYPICAL);
        board.i2c(1, 0x76, model);
        Bme280 sensor = new Bme280(Settings.of("climate", Map.of("bus", 1, "address", "0x76")), platform);
        sensor.open(ctx);
        DeviceException none = assertThrows(DeviceException.class, () -> sensor.poll(ctx));
        assertTrue(none.getMessage().contains("no measurement"), none.getMessage());
        model.set(21.5, 40.2, 1013.25);
        sensor.poll(ctx);
        assertEquals(21.5, ctx.next("temperature", WAIT).number(), 0.011);
        assertEquals(40.2, ctx.next("humidity", WAIT).number(), 0.01);
        assertEquals(1013.25, ctx.next("pressure", WAIT).number(), 0.01);
        model.set(-12.34, 87.5, 978.4);
        sensor.poll(ctx);
        assertEquals(-12.34, ctx.next("temperature", WAIT).number(), 0.011);
        assertEquals(87.5, ctx.next("humidity", WAIT).number(), 0.01);
        assertEquals(978.4, ctx.next("pressure", WAIT).number(), 0.01);

        model.answering(false);
        DeviceException e = assertThrows(DeviceException.class, () -> sensor.poll(ctx));
        assertEquals("I2C read failed: Remote I/O error", e.getMessage());
        sensor.close();
    }

    @Test
    void bme280ResetsWaitsForItsCalibrationWritesConfigAndClampsToItsRange() throws Exception {
        Bme280Model model = new Bme280Model(Bme280Model.TYPICAL);
        board.i2c(1, 0x76, model);
        Bme280 sensor = new Bme280(Settings.of("climate", Map.of("filter", 4, "standby_ms", 62.5)), platform);
        sensor.open(ctx);
        assertEquals(1, model.resets());
        assertEquals(0b001_010_00, model.register(Bme280.REG_CONFIG), "t_sb 62.5 ms, filter 4");
        model.setRaw(0xC0000, 0x50000, 0xFFFF); // 105.45 °C by the formula: outside what the sensor measures
        sensor.poll(ctx);
        assertEquals(85.0, ctx.next("temperature", WAIT).number(), 1e-9);
        assertEquals(100.0, ctx.next("humidity", WAIT).number(), 1e-9);
        double hPa = ctx.next("pressure", WAIT).number();
        assertTrue(hPa >= 300 && hPa <= 1100, "pressure " + hPa);
        sensor.close();
        assertThrows(io.pigeon.drivers.SettingsException.class,
            () -> new Bme280(Settings.of("climate", Map.of("filter", 3)), platform));
    }

    @Test
    void bme280RefusesAnotherChip() throws Exception {
        Bme280Model bmp = new Bme280Model(Bme280Model.TYPICAL);
        bmp.writeRegister(0xD0, 0x58);
        board.i2c(1, 0x76, bmp);
        Bme280 sensor = new Bme280(Settings.of("climate", Map.of()), platform);
        DeviceException e = assertThrows(DeviceException.class, () -> sensor.open(ctx));
        assertTrue(e.getMessage().contains("BMP280"), e.getMessage());
        SimulatedI2cProvider.unregister(1, 0x76);
        e = assertThrows(DeviceException.class, () -> sensor.open(ctx));
        assertTrue(e.getMessage().contains("Remote I/O error"), e.getMessage());
    }

    @Test
    void bh1750ConvertsCountsToLux() throws Exception {
        int[] count = {12_000};
        boolean[] poweredOn = {false};
        int[] next = {0};
        board.i2c(1, 0x23, new I2cModel() {
            @Override
            public int readRegister(int register) {
                // bare reads return the count, high byte first
                int b = next[0]++ % 2 == 0 ? count[0] >> 8 : count[0] & 0xFF;
                return b;
            }

            @Override
            public void writeRegister(int register, int value) {
                if (value == Bh1750.POWER_ON) {
                    poweredOn[0] = true;
                }
                if (value == 0xFF) {
                    throw new UncheckedIOException(new IOException("Remote I/O error"));
                }
            }
        });
        Bh1750 light = new Bh1750(Settings.of("light", Map.of()), platform);
        light.open(ctx);
        assertTrue(poweredOn[0]);
        light.poll(ctx);
        assertEquals(10_000, ctx.next("illuminance", WAIT).number(), 0.05);
        light.close();
    }

    @Test
    void bh1750WaitsForItsFirstConversionAndHonoursMtreg() throws Exception {
        Bh1750Model model = new Bh1750Model();
        model.lux(250);
        board.i2c(1, 0x23, model);
        for (int mtreg : new int[] {69, 138, 31}) {
            Bh1750 light = new Bh1750(Settings.of("light", Map.of("mtreg", mtreg)), platform);
            light.open(ctx);
            light.poll(ctx); // at once, as the supervisor's first poll does: before, this read 0 lx
            assertEquals(250, ctx.next("illuminance", WAIT).number(), 250 * 0.01 + 0.5, "mtreg " + mtreg);
            light.close();
        }
        assertEquals(0, ctx.counter("over_range"));
        model.lux(100_000); // direct sunlight at MTreg 138: beyond 65535 counts
        Bh1750 sun = new Bh1750(Settings.of("light", Map.of("mtreg", 138)), platform);
        sun.open(ctx);
        sun.poll(ctx);
        assertEquals(Bh1750.lux(0xFFFF, 138), ctx.next("illuminance", WAIT).number(), 1e-9, "the range's end");
        assertEquals(1, ctx.counter("over_range"), "and counted");
        sun.close();
        assertThrows(io.pigeon.drivers.SettingsException.class,
            () -> new Bh1750(Settings.of("light", Map.of("mtreg", 300)), platform));
    }
}
