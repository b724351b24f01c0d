package io.pigeon.gateway.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Value;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery payloads as Home Assistant's MQTT discovery schema wants them (sensor, binary_sensor, switch,
 * number): the component, the required keys, units, device classes with a unit HA accepts for them, and a
 * number's command_template producing exactly the command the gateway accepts.
 */
class HomeAssistantTest {
    private final Pi4jPlatform platform = Pi4jPlatform.of("mock");
    private final GatewayConfig cfg;
    private final HomeAssistant ha = new HomeAssistant("homeassistant", new io.pigeon.gateway.config.Topics("pigeon/k"),
        "pigeon-k", null);

    HomeAssistantTest() throws Exception {
        cfg = new ConfigLoader(Map.of(), platform).parse(Path.of("ha.yaml"), """
            mqtt: {host: h, client_id: pigeon-k, topic_prefix: pigeon/k}
            platform: mock
            devices:
              - {name: climate, driver: serial-line, port: /dev/null, parse: kv, units: ["temperature=°C", "pressure=mbar"]}
              - {name: odd, driver: serial-line, port: /dev/null, parse: kv, units: ["temperature=degrees"]}
              - name: meter
                driver: modbus-rtu
                port: /dev/null
                registers:
                  - {name: voltage, address: 0, function: 4, scale: 0.1, unit: V}
                  - {name: setpoint, address: 10, type: int16, scale: 0.5, unit: "°C", writable: true}
                  - {name: limit, address: 11, unit: A}
              - {name: water, driver: gpio-in, pin: 22, counter: true, per_pulse: 0.5, unit: L}
              - {name: relay, driver: gpio-out, pin: 27}
              - {name: fan, driver: pwm, pin: 18}
              - {name: door, driver: gpio-in, pin: 17}
            """);
    }

    @AfterEach
    void close() {
        platform.close();
    }

    private HomeAssistant.Announcement announce(String device, String reading, Value v) {
        return ha.config(cfg.device(device), reading, v);
    }

    @Test
    void numberedChannelsAreOfTheirKind() {
        assertEquals("voltage", HomeAssistant.deviceClass("voltage_0", "V"));
        assertEquals("voltage", HomeAssistant.deviceClass("voltage_0_1", "V"));
        assertEquals("temperature", HomeAssistant.deviceClass("temperature_2", "°C"));
        assertEquals("pm25", HomeAssistant.deviceClass("pm2_5", "µg/m³"));
        assertEquals("pm1", HomeAssistant.deviceClass("pm1_0", "µg/m³"));
        assertEquals("carbon_dioxide", HomeAssistant.deviceClass("co2", "ppm"));
        assertEquals(null, HomeAssistant.deviceClass("fan", "rpm"));
    }

    @Test
    void sensorsCarryTheirUnitAndAClassOnlyWithAUnitHaAccepts() {
        HomeAssistant.Announcement t = announce("climate", "temperature", Value.number(21.5, "°C"));
        assertEquals("homeassistant/sensor/pigeon-k/climate_temperature/config", t.topic());
        assertTrue(t.json().contains("\"name\":\"temperature\""), "no device name repeated: " + t.json());
        assertTrue(t.json().contains("\"unit_of_measurement\":\"°C\",\"state_class\":\"measurement\","
            + "\"device_class\":\"temperature\""), t.json());
        assertTrue(t.json().contains("\"unique_id\":\"pigeon-k_climate_temperature\""), t.json());
        assertFalse(t.json().contains("via_device"), "no reference to a device HA was never told about");
        assertTrue(announce("climate", "pressure", Value.number(1013, "mbar")).json()
            .contains("\"device_class\":\"pressure\""));
        HomeAssistant.Announcement odd = announce("odd", "temperature", Value.number(21.5, "degrees"));
        assertTrue(odd.json().contains("\"unit_of_measurement\":\"degrees\""), odd.json());
        assertFalse(odd.json().contains("device_class"), "HA refuses temperature in 'degrees': " + odd.json());
    }

    @Test
    void onlyDeclaredReadingsOfAFreeFormDeviceAreAnnounced() {
        assertNull(announce("climate", "tempreature", Value.number(21.5, "")), "a typo on the sensor side");
        assertTrue(announce("meter", "voltage", Value.number(230, "V")) != null, "a driver's fixed readings are");
    }

    @Test
    void modbusReadOnlyRegistersAreSensorsAndWritableOnesNumbersThatSendTheGatewaysCommand() {
        HomeAssistant.Announcement v = announce("meter", "voltage", Value.number(230.7, "V"));
        assertEquals("homeassistant/sensor/pigeon-k/meter_voltage/config", v.topic());
        assertTrue(v.json().contains("\"device_class\":\"voltage\""), v.json());
        assertFalse(v.json().contains("command_topic"), v.json());
        assertTrue(announce("meter", "limit", Value.number(3, "A")).topic().startsWith("homeassistant/sensor/"),
            "a holding register that is not writable is read-only");
        HomeAssistant.Announcement s = announce("meter", "setpoint", Value.number(21, "°C"));
        assertEquals("homeassistant/number/pigeon-k/meter_setpoint/config", s.topic());
        assertTrue(s.json().contains("\"command_topic\":\"pigeon/k/meter/set\",\"min\":-16384,\"max\":16383.5,"
            + "\"step\":0.5,\"command_template\":\"{\\\"register\\\":\\\"setpoint\\\",\\\"value\\\":{{ value }}}\""),
            s.json());
        assertTrue(s.json().contains("\"unit_of_measurement\":\"°C\""), s.json());
    }

    @Test
    void theCommandTemplateRendersToACommandTheGatewayAccepts() throws Exception {
        // What HA sends for 21.5 through the template above: the gateway's own parser takes it.
        String rendered = "{\"register\":\"setpoint\",\"value\":21.5}";
        assertEquals(new io.pigeon.drivers.Command.Write("setpoint", 21.5), CommandParser.parse(rendered));
    }

    @Test
    void countersAreTotalIncreasingSwitchesAndNumbersForActuators() {
        assertTrue(announce("water", "total", Value.number(10, "")).json()
            .contains("\"state_class\":\"total_increasing\""));
        assertTrue(announce("water", "quantity", Value.number(5, "L")).json()
            .contains("\"unit_of_measurement\":\"L\",\"state_class\":\"total_increasing\""));
        assertTrue(announce("water", "pulses", Value.number(2, "")).json().contains("\"state_class\":\"measurement\""));
        HomeAssistant.Announcement relay = announce("relay", "state", Value.bool(true));
        assertEquals("homeassistant/switch/pigeon-k/relay_state/config", relay.topic());
        assertTrue(relay.json().contains("\"command_topic\":\"pigeon/k/relay/set\",\"payload_on\":\"ON\","
            + "\"payload_off\":\"OFF\""), relay.json());
        HomeAssistant.Announcement fan = announce("fan", "duty", Value.number(40, "%"));
        assertEquals("homeassistant/number/pigeon-k/fan_duty/config", fan.topic());
        assertTrue(fan.json().contains("\"min\":0,\"max\":100,\"step\":1,\"unit_of_measurement\":\"%\""), fan.json());
        assertEquals("homeassistant/binary_sensor/pigeon-k/door_state/config",
            announce("door", "state", Value.bool(false)).topic());
    }
}
