package io.pigeon.drivers.i2c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.sim.Ads1x15Model;
import io.pigeon.drivers.sim.Ina219Model;
import io.pigeon.drivers.sim.SimulatedBoard;
import io.pigeon.drivers.sim.SimulatedI2cProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ADS1115/ADS1015 and INA219: their datasheets' register formats as vectors, then the drivers against chip models. */
class PowerI2cDriversTest {
    private static final Duration WAIT = Duration.ofSeconds(2);
    private final SimulatedBoard board = new SimulatedBoard();
    private final Pi4jPlatform platform = board.platform();
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
        board.close();
    }

    private double value(String reading) throws InterruptedException {
        return ctx.next(reading, WAIT).number();
    }

    @Test
    void adsOutputCodesAndConfigWordsFollowTheDatasheet() {
        // ADS1115 datasheet table 3 at ±4.096 V: +FS × (2^15 - 1)/2^15 = 7FFFh, FS/2^15 = 0001h, 0, -FS/2^15 = FFFFh, -FS = 8000h.
        assertEquals(4.095875, Ads1x15.volts((short) 0x7FFF, 4.096, false), 1e-9);
        assertEquals(0.000125, Ads1x15.volts((short) 0x0001, 4.096, false), 1e-9);
        assertEquals(0.0, Ads1x15.volts((short) 0x0000, 4.096, false), 1e-9);
        assertEquals(-0.000125, Ads1x15.volts((short) 0xFFFF, 4.096, false), 1e-9);
        assertEquals(-4.096, Ads1x15.volts((short) 0x8000, 4.096, false), 1e-9);
        // ADS1015 (12 bits, left-justified): 7FF0h = +FS × 2047/2048, 0010h = one 2 mV step at ±4.096 V.
        assertEquals(4.094, Ads1x15.volts((short) 0x7FF0, 4.096, true), 1e-9);
        assertEquals(0.002, Ads1x15.volts((short) 0x0010, 4.096, true), 1e-9);
        // Config: OS=1, MUX=100 (AIN0), PGA=001 (±4.096), MODE=1, DR=100 (128 SPS), comparator off = C383h.
        Ads1x15 ads = new Ads1x15(Settings.of("a", Map.of()), platform);
        assertEquals(0xC383, ads.config("0"));
        assertEquals(0x8383, ads.config("0-1"));
        Ads1x15 fast = new Ads1x15(Settings.of("b", Map.of("chip", "ads1015", "gain", 2.048, "data_rate", 3300)), platform);
        assertEquals(0xF5C3, fast.config("3"));
    }

    @Test
    void ads1115ReadsEachInputAndPairAndClipsAtItsRange() throws Exception {
        Ads1x15Model chip = new Ads1x15Model(false);
        board.i2c(1, 0x48, chip);
        chip.set(0, 1.65);
        chip.set(1, 0.5);
        chip.set(3, 5.0);
        Ads1x15 ads = new Ads1x15(Settings.of("soil", Map.of("inputs", List.of("0", "1", "0-1", "3"), "data_rate", 860)),
            platform);
        ads.open(ctx);
        ads.poll(ctx);
        assertEquals(1.65, value("voltage_0"), 0.000125);
        assertEquals(0.5, value("voltage_1"), 0.000125);
        assertEquals(1.15, value("voltage_0_1"), 0.000125);
        assertEquals(4.095875, value("voltage_3"), 1e-9); // above ±4.096 V: the largest code
        assertEquals(1, ctx.counter("over_range"), "and counted");
        assertEquals(4, chip.conversions());
        ads.close();
        SettingsException e = assertThrows(SettingsException.class,
            () -> new Ads1x15(Settings.of("x", Map.of("inputs", List.of("1-2"))), platform));
        assertTrue(e.getMessage().contains("'1-2' is not an input"), e.getMessage());
        assertThrows(SettingsException.class, () -> new Ads1x15(Settings.of("x", Map.of("gain", 3.3)), platform));
        assertThrows(SettingsException.class, () -> new Ads1x15(Settings.of("x", Map.of("data_rate", 100)), platform));
    }

    @Test
    void ads1015ReadsTwelveBits() throws Exception {
        Ads1x15Model chip = new Ads1x15Model(true);
        board.i2c(1, 0x49, chip);
        chip.set(2, 3.3);
        Ads1x15 ads = new Ads1x15(Settings.of("adc", Map.of("chip", "ads1015", "address", "0x49", "inputs", List.of("2"))),
            platform);
        ads.open(ctx);
        ads.poll(ctx);
        assertEquals(3.3, value("voltage_2"), 0.002);
        ads.close();
    }

    @Test
    void ina219RegistersFollowTheDatasheetAndTheDriverReadsPower() throws Exception {
        // Datasheet 8.6.3: shunt 7D00h = +320 mV (PGA /8), 8300h = -320 mV; bus BB8h << 3 = 12.000 V (CNVR bit set).
        assertEquals(0.32, Ina219.shuntVolts((short) 0x7D00), 1e-12);
        assertEquals(-0.32, Ina219.shuntVolts((short) 0x8300), 1e-12);
        assertEquals(12.0, Ina219.busVolts(0x5DC2), 1e-12);
        Ina219Model chip = new Ina219Model(0.1);
        board.i2c(1, 0x40, chip);
        chip.set(5.02, 0.75);
        Ina219 ina = new Ina219(Settings.of("usb", Map.of()), platform);
        ina.open(ctx);
        ina.poll(ctx);
        assertEquals(5.02, value("voltage"), 1e-9);
        assertEquals(0.75, value("current"), 1e-9);
        assertEquals(3.765, value("power"), 1e-9);
        chip.set(12.0, -1.5); // current the other way
        ina.poll(ctx);
        assertEquals(12.0, value("voltage"), 1e-9);
        assertEquals(-1.5, value("current"), 1e-9);
        assertEquals(0, ctx.counter("over_range"));
        chip.set(12.0, 5.0); // 500 mV over 0.1 ohm: the register stops at 320 mV
        ina.poll(ctx);
        assertEquals(3.2, value("current"), 1e-9, "the range's end, a bound an automation can still act on");
        assertEquals(1, ctx.counter("over_range"), "and counted");
        chip.set(12.0, -1.5);
        ina.close();
        Ina219 wide = new Ina219(Settings.of("w", Map.of("shunt_ohms", 0.01)), platform);
        wide.open(ctx);
        wide.poll(ctx);
        ctx.next("voltage", WAIT);
        assertEquals(-15.0, value("current"), 1e-9); // the same shunt voltage through a tenth of the resistance
        wide.close();
        SimulatedI2cProvider.unregister(1, 0x40);
        wide.open(ctx);
        assertThrows(DeviceException.class, () -> wide.poll(ctx));
    }
}
