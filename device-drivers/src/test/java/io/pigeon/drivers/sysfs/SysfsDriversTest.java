package io.pigeon.drivers.sysfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.RecordingContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.drivers.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hwmon and IIO against sysfs trees laid out as the kernel's ABI documents them (Documentation/hwmon/sysfs-interface,
 * Documentation/ABI/testing/sysfs-bus-iio): the units there are the vectors.
 */
class SysfsDriversTest {
    private static final Duration WAIT = Duration.ofSeconds(1);
    @TempDir
    Path sys;
    private final RecordingContext ctx = new RecordingContext();

    @AfterEach
    void close() {
        ctx.close();
    }

    private void file(String path, String content) throws IOException {
        Path p = sys.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content + "\n");
    }

    private double value(String reading) throws InterruptedException {
        return ctx.next(reading, WAIT).number();
    }

    private String unit(String reading) throws InterruptedException {
        return ((Value.Numeric) ctx.next(reading, WAIT).value()).unit();
    }

    @Test
    void hwmonReadsThePisCpuTemperatureAndAMonitorWithLabels() throws Exception {
        file("class/hwmon/hwmon0/name", "cpu_thermal");
        file("class/hwmon/hwmon0/temp1_input", "48312");                  // millidegrees Celsius
        file("class/hwmon/hwmon1/name", "ina3221");
        file("class/hwmon/hwmon1/in1_input", "5012");                      // millivolts
        file("class/hwmon/hwmon1/in1_label", "VBUS");
        file("class/hwmon/hwmon1/curr1_input", "512");                     // milliamperes
        file("class/hwmon/hwmon1/power1_input", "2566144");                // microwatts
        file("class/hwmon/hwmon1/fan1_input", "2400");                     // revolutions per minute
        file("class/hwmon/hwmon1/humidity1_input", "45100");               // milli-percent
        file("class/hwmon/hwmon1/in2_input", "3300");

        Hwmon cpu = new Hwmon(Settings.of("cpu", Map.of("chip", "cpu_thermal")), sys);
        cpu.open(ctx);
        cpu.poll(ctx);
        assertEquals(48.312, value("temperature"), 1e-9);

        Hwmon ina = new Hwmon(Settings.of("ina", Map.of("chip", "ina3221")), sys);
        ina.open(ctx);
        ina.poll(ctx);
        assertEquals(0.512, value("current"), 1e-9);
        assertEquals(2400, value("fan"), 1e-9);
        assertEquals(45.1, value("humidity"), 1e-9);
        assertEquals(5.012, value("vbus"), 1e-9); // named by its label
        assertEquals(3.3, value("voltage_2"), 1e-9);
        assertEquals(2.566144, value("power"), 1e-9);

        Hwmon only = new Hwmon(Settings.of("fan", Map.of("chip", "ina3221", "sensors", List.of("fan1"))), sys);
        only.open(ctx);
        only.poll(ctx);
        assertEquals("rpm", unit("fan"));
        assertTrue(ctx.readings.isEmpty(), "only the listed sensor: " + ctx.readings);

        DeviceException none = assertThrows(DeviceException.class,
            () -> new Hwmon(Settings.of("x", Map.of("chip", "rpi_volt")), sys).open(ctx));
        assertEquals("no hwmon chip 'rpi_volt'; there are: cpu_thermal, ina3221", none.getMessage());
        DeviceException missing = assertThrows(DeviceException.class,
            () -> new Hwmon(Settings.of("x", Map.of("chip", "cpu_thermal", "sensors", List.of("temp2"))), sys).open(ctx));
        assertEquals("hwmon chip 'cpu_thermal' has no temp2_input", missing.getMessage());
        assertThrows(SettingsException.class, () -> new Hwmon(Settings.of("x", Map.of()), sys));
        assertThrows(SettingsException.class,
            () -> new Hwmon(Settings.of("x", Map.of("chip", "a", "sensors", List.of("cpu"))), sys));
    }

    @Test
    void iioReadsADht22TheKernelDrivesAndScalesRawChannels() throws Exception {
        file("bus/iio/devices/iio:device0/name", "dht11");                 // the dht11 driver serves DHT22s too
        file("bus/iio/devices/iio:device0/in_temp_input", "23400");        // millidegrees Celsius
        file("bus/iio/devices/iio:device0/in_humidityrelative_input", "45100"); // milli-percent
        file("bus/iio/devices/iio:device1/name", "ads1015");
        file("bus/iio/devices/iio:device1/in_voltage0_raw", "1024");
        file("bus/iio/devices/iio:device1/in_voltage_scale", "3.000000000"); // shared by type: mV per count
        file("bus/iio/devices/iio:device1/in_voltage1_raw", "-100");
        file("bus/iio/devices/iio:device1/in_voltage1_scale", "0.125000000"); // the channel's own scale
        file("bus/iio/devices/iio:device2/name", "bmp280");
        file("bus/iio/devices/iio:device2/in_pressure_input", "101.325000");  // kilopascal
        file("bus/iio/devices/iio:device2/in_temp_raw", "2500");
        file("bus/iio/devices/iio:device2/in_temp_offset", "100");
        file("bus/iio/devices/iio:device2/in_temp_scale", "10");             // (raw + offset) × scale = m°C

        Iio dht = new Iio(Settings.of("dht", Map.of("device", "dht11")), sys);
        dht.open(ctx);
        dht.poll(ctx);
        assertEquals(45.1, value("humidity"), 1e-9);
        assertEquals(23.4, value("temperature"), 1e-9);

        Iio adc = new Iio(Settings.of("adc", Map.of("device", "ads1015")), sys);
        adc.open(ctx);
        adc.poll(ctx);
        assertEquals(3.072, value("voltage_0"), 1e-9);
        assertEquals(-0.0125, value("voltage_1"), 1e-9); // -12.5 mV

        Iio bmp = new Iio(Settings.of("bmp", Map.of("device", "bmp280")), sys);
        bmp.open(ctx);
        bmp.poll(ctx);
        assertEquals(1013.25, value("pressure"), 1e-9);
        assertEquals(26.0, value("temperature"), 1e-9);

        Iio byIndex = new Iio(Settings.of("second", Map.of("index", 2)), sys); // iio:device2, whatever its name
        byIndex.open(ctx);
        byIndex.poll(ctx);
        assertEquals(1013.25, value("pressure"), 1e-9);
        assertThrows(SettingsException.class, () -> new Iio(Settings.of("x", Map.of()), sys));

        DeviceException none = assertThrows(DeviceException.class,
            () -> new Iio(Settings.of("x", Map.of("device", "dht11", "index", 1)), sys).open(ctx));
        assertTrue(none.getMessage().startsWith("no IIO device 'dht11' number 1; there are: ads1015, bmp280, dht11"),
            none.getMessage());
    }

    @Test
    void aReadTheKernelFailsIsOneFailedReadAndAFolderThatGoesIsALostDevice() throws Exception {
        file("bus/iio/devices/iio:device0/name", "dht11");
        file("bus/iio/devices/iio:device0/in_temp_input", "23400");
        file("bus/iio/devices/iio:device0/in_humidityrelative_input", "45100");
        Iio dht = new Iio(Settings.of("dht", Map.of("device", "dht11")), sys);
        dht.open(ctx);
        // The dht11 driver answers a failed transfer with EIO: here, a file that cannot be read as one.
        Path humidity = sys.resolve("bus/iio/devices/iio:device0/in_humidityrelative_input");
        Files.delete(humidity);
        Files.createDirectory(humidity);
        dht.poll(ctx);
        assertEquals(23.4, value("temperature"), 1e-9); // the other channel is still read
        assertEquals(1, ctx.counter("read_errors"));
        Files.writeString(sys.resolve("bus/iio/devices/iio:device0/in_temp_input"), "garbage\n");
        DeviceException both = assertThrows(DeviceException.class, () -> dht.poll(ctx));
        assertTrue(both.getMessage().contains("not a number") || both.getMessage().contains("directory"),
            both.getMessage());
        assertEquals(2, ctx.counter("read_errors"));

        try (var files = Files.walk(sys.resolve("bus/iio/devices/iio:device0"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        DeviceException gone = assertThrows(DeviceException.class, () -> dht.poll(ctx));
        assertTrue(gone.getMessage().endsWith("iio:device0 is gone"), gone.getMessage());
    }
}
