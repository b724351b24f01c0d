package io.pigeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.gateway.json.JsonReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** pigeon scan on the simulated board: everything the demo's scenario plugs in is found, and its entries are a valid config. */
class ScanTest {
    @Test
    void findsEveryKindOfDeviceAndGivesAConfigThatChecks() throws Exception {
        String text = SimMain.scan(Demo.resource("/demo-scenario.yaml"), false);
        for (String expected : List.of(
            "-> ttyGPS (1d6b:0104 Pigeon Simulated nmea)",          // a stable by-id name, with its USB identity
            "i2c-1 0x76: BME280 (chip id 0x60)",                     // recognised by its chip id register
            "i2c-1 0x23: BH1750", "i2c-1 0x44: Sensirion SHT4x or SHT3x", "i2c-1 0x38: AHT20",
            "i2c-1 0x48: LM75 temperature sensor",                   // told from an ADS1x15 by its limit registers
            "i2c-1 0x49: ADS1x15 ADC (configuration 0x8583)", "i2c-1 0x40: INA219 current monitor",
            "i2c-1 0x45: Sensirion SHT4x or SHT3x", "i2c-1 0x20: MCP23017 GPIO expander",
            "i2c-1 0x27: PCF8574 GPIO expander",
            "# - {name: relay_1, driver: gpio-out, expander: {chip: mcp23017, bus: 1, address: 0x20}, pin: 0}",
            "28-00000a1b2c3d: DS18B20", "iio:device0 dht11 (in_humidityrelative_input, in_temp_input)",
            "hwmon0 cpu_thermal (temp1)", "gpiochip0: pinctrl-bcm2711, 58 lines", "pwmchip0: 2 channel(s)")) {
            assertTrue(text.contains(expected), "'" + expected + "' in:\n" + text);
        }
        assertTrue(!text.contains("0x77") && !text.contains("0x08"), "only what answers:\n" + text);

        // The entries to paste make a config that passes check, as they are.
        String yaml = text.substring(text.indexOf("devices:\n"));
        Matcher entries = Pattern.compile("(?m)^  - \\{").matcher(yaml);
        int count = 0;
        while (entries.find()) {
            count++;
        }
        assertEquals(15, count, yaml);
        try (Pi4jPlatform platform = Pi4jPlatform.of("mock")) {
            GatewayConfig cfg = new ConfigLoader(Map.of(), platform).parse(Path.of("scanned.yaml"),
                "mqtt: {host: 127.0.0.1}\nplatform: mock\n" + yaml);
            assertEquals(15, cfg.devices().size());
            assertEquals(List.of("serial-line", "serial-line", "serial-line", "serial-line", "bh1750", "aht20", "ina219",
                "sht4x", "sht4x", "lm75", "ads1x15", "bme280", "ds18b20", "iio", "hwmon"),
                cfg.devices().stream().map(d -> d.driver()).toList());
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) JsonReader.parse(SimMain.scan(Demo.resource("/demo-scenario.yaml"), true));
        assertEquals(19, ((List<?>) json.get("found")).size(), json.toString()); // 4 serial, 10 I2C, 5 others
        assertTrue(((String) json.get("yaml")).startsWith("devices:\n  - {name: serial_air"), (String) json.get("yaml"));
    }
}
