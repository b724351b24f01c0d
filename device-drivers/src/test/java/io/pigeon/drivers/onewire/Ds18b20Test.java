package io.pigeon.drivers.onewire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The w1-therm sysfs files, laid out in a temporary directory as the kernel lays them out. */
class Ds18b20Test {
    static final String GOOD = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
    static final String BAD_CRC = "72 01 4b 46 7f ff 0e 10 57 : crc=58 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
    static final String POWER_ON = "50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n";
    static final String NEGATIVE = "5e ff 4b 46 7f ff 02 10 0e : crc=0e YES\n5e ff 4b 46 7f ff 02 10 0e t=-10125\n";

    @TempDir
    Path base;

    private Path sensor(String id, String content) throws Exception {
        Path dir = Files.createDirectories(base.resolve(id));
        Files.writeString(dir.resolve("w1_slave"), content);
        return dir.resolve("w1_slave");
    }

    /** What w1_therm prints when the bus read nothing: a CRC of 0 over nine zero bytes, which "matches". */
    static final String ALL_ZERO = "00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n";

    @Test
    void parsesTheKernelsText() throws Exception {
        assertEquals(23.125, Ds18b20.parse(GOOD));
        assertEquals(-10.125, Ds18b20.parse(NEGATIVE));
        assertNull(Ds18b20.parse(BAD_CRC));
        assertThrows(DeviceException.class, () -> Ds18b20.parse("nonsense"));
    }

    @Test
    void readsTheOnlySensorAndRefusesBadCrcAndPowerOnValue() throws Exception {
        Path file = sensor("28-0316a2795aff", GOOD);
        Ds18b20 d = new Ds18b20(Settings.of("tank", Map.of()), base);
        try (RecordingContext ctx = new RecordingContext()) {
            d.open(ctx);
            d.poll(ctx);
            assertEquals(Value.number(23.125, "°C"), ctx.next(Duration.ofSeconds(1)).value());
            // Each of these is one failed read (the supervisor counts them in a row), never a reading.
            Files.writeString(file, BAD_CRC);
            assertThrows(DeviceException.class, () -> d.poll(ctx));
            assertEquals(1, ctx.counter("crc_errors"));
            Files.writeString(file, POWER_ON);
            assertThrows(DeviceException.class, () -> d.poll(ctx));
            assertEquals(1, ctx.counter("power_on_values"));
            Files.writeString(file, ALL_ZERO);
            assertThrows(DeviceException.class, () -> d.poll(ctx));
            assertEquals(1, ctx.counter("zero_scratchpads"));
            Files.writeString(file, "");      // kernels from 5.10 on, after a failed conversion
            assertThrows(DeviceException.class, () -> d.poll(ctx));
            assertEquals(1, ctx.counter("empty_reads"));
            assertNull(ctx.poll(Duration.ofMillis(50)), "none of these is published");
            Files.writeString(file, GOOD);
            d.poll(ctx);
            assertEquals(Value.number(23.125, "°C"), ctx.next(Duration.ofSeconds(1)).value());
            Files.delete(file);
            DeviceException e = assertThrows(DeviceException.class, () -> d.poll(ctx));
            assertTrue(e.getMessage().startsWith("1-Wire read failed"), e.getMessage());
        }
    }

    @Test
    void needsAnIdWhenSeveralSensorsAreWired() throws Exception {
        sensor("28-000000000001", GOOD);
        sensor("28-000000000002", NEGATIVE);
        Ds18b20 any = new Ds18b20(Settings.of("t", Map.of()), base);
        DeviceException e = assertThrows(DeviceException.class, () -> any.open(new RecordingContext()));
        assertTrue(e.getMessage().contains("set 'id' to one of 28-000000000001, 28-000000000002"), e.getMessage());
        Ds18b20 second = new Ds18b20(Settings.of("t", Map.of("id", "28-000000000002")), base);
        try (RecordingContext ctx = new RecordingContext()) {
            second.open(ctx);
            second.poll(ctx);
            assertEquals(Value.number(-10.125, "°C"), ctx.next(Duration.ofSeconds(1)).value());
        }
        assertThrows(SettingsException.class, () -> new Ds18b20(Settings.of("t", Map.of("id", "29-x")), base));
    }
}
