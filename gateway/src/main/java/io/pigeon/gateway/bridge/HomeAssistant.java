package io.pigeon.gateway.bridge;

import io.pigeon.drivers.Value;
import io.pigeon.drivers.gpio.PulseCounter;
import io.pigeon.drivers.gpio.PwmOutput;
import io.pigeon.drivers.serial.ModbusRegister;
import io.pigeon.drivers.serial.ModbusRtu;
import io.pigeon.gateway.config.DeviceConfig;
import io.pigeon.gateway.config.Topics;
import io.pigeon.gateway.json.Json;
import io.pigeon.mqtt.MqttClient;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Home Assistant MQTT discovery: each reading is announced under
 * {@code <prefix>/<component>/<gateway>/<device>_<reading>/config} (retained) when it is first seen, and
 * everything again when Home Assistant comes online ({@code online} on {@code <prefix>/status}, as a live
 * message: the retained one a new subscription gets is not news). Entities use both the gateway's and the
 * device's availability topic ({@code availability_mode: all}).
 *
 * <p>What HA is told follows its MQTT discovery schema: a read-only value is a {@code sensor} (or a
 * {@code binary_sensor}), a writable one a {@code switch} or a {@code number} whose {@code command_template}
 * produces exactly the command the gateway accepts; {@code unit_of_measurement} wherever the reading has a
 * unit; a {@code device_class} only with a unit HA accepts for it; counters {@code total_increasing}.
 * A serial-line device's readings are free-form (any key a sensor prints): only those its config declares
 * are announced, so a typo on the sensor side never becomes a permanent retained entity.
 */
final class HomeAssistant {
    /** Device classes HA's sensor platform knows, with the units it accepts for each (a subset: ours). */
    private static final Map<String, Set<String>> CLASS_UNITS = Map.ofEntries(
        Map.entry("temperature", Set.of("°C", "°F", "K")),
        Map.entry("humidity", Set.of("%")),
        Map.entry("pressure", Set.of("Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi")),
        Map.entry("illuminance", Set.of("lx")),
        Map.entry("pm25", Set.of("µg/m³")),
        Map.entry("pm10", Set.of("µg/m³")),
        Map.entry("pm1", Set.of("µg/m³")),
        Map.entry("voltage", Set.of("V", "mV", "kV")),
        Map.entry("current", Set.of("A", "mA")),
        Map.entry("power", Set.of("W", "kW", "mW")),
        Map.entry("energy", Set.of("Wh", "kWh", "MWh")),
        Map.entry("carbon_dioxide", Set.of("ppm")),
        Map.entry("frequency", Set.of("Hz", "kHz")),
        Map.entry("speed", Set.of("km/h", "m/s", "mph", "kn")),
        Map.entry("distance", Set.of("m", "km", "cm", "mm")));

    /** A discovery message: where and what. */
    record Announcement(String topic, String json) {
    }

    private final String prefix;
    private final Topics topics;
    private final String gateway;
    private final MqttClient client;
    private final Map<String, Announcement> announced = new ConcurrentHashMap<>();

    HomeAssistant(String prefix, Topics topics, String gateway, MqttClient client) {
        this.prefix = prefix;
        this.topics = topics;
        this.gateway = gateway.replaceAll("[^A-Za-z0-9_-]", "_");
        this.client = client;
    }

    void seen(DeviceConfig device, String reading, Value value) {
        String key = device.name() + "_" + reading;
        if (!announced.containsKey(key)) {
            Announcement a = config(device, reading, value);
            if (a != null && announced.putIfAbsent(key, a) == null) {
                publish(a);
            }
        }
    }

    void announceAll() {
        announced.values().forEach(this::publish);
    }

    private void publish(Announcement a) {
        client.publish(a.topic(), a.json().getBytes(StandardCharsets.UTF_8), 1, true);
    }

    /** What to announce for a reading, or null when it is not announced (an undeclared free-form reading). */
    @Nullable Announcement config(DeviceConfig device, String reading, Value value) {
        if (device.device().freeFormReadings() && !device.device().declaredReadings().contains(reading)) {
            return null;
        }
        String uid = gateway + "_" + device.name() + "_" + reading;
        String dev = device.name();
        String set = topics.set(dev);
        String unit = value instanceof Value.Numeric n ? n.unit() : "";
        // The device's name comes from the device block; the entity's own name is the reading's.
        Json j = new Json().put("name", reading.replace('_', ' ')).put("unique_id", uid);
        j.put("state_topic", device.jsonPayload() ? topics.device(dev) : topics.reading(dev, reading));
        if (device.jsonPayload()) {
            j.put("value_template", "{{ value_json." + reading + " }}");
        }
        String component;
        ModbusRegister register = device.device() instanceof ModbusRtu m ? m.registers().stream()
            .filter(r -> r.name().equals(reading)).findFirst().orElse(null) : null;
        boolean acts = device.device().kind().acts() && (register == null || register.writable());
        if (acts && value instanceof Value.Bool) {
            component = "switch";
            j.put("command_topic", set).put("payload_on", "ON").put("payload_off", "OFF");
        } else if (acts && register != null) {
            component = "number";
            BigDecimal scale = BigDecimal.valueOf(register.scale());
            BigDecimal lo = BigDecimal.valueOf(register.type() == ModbusRegister.Type.INT16 ? Short.MIN_VALUE : 0)
                .multiply(scale);
            BigDecimal hi = BigDecimal.valueOf(register.type() == ModbusRegister.Type.INT16 ? Short.MAX_VALUE : 65_535)
                .multiply(scale);
            j.put("command_topic", set).raw("min", lo.min(hi).stripTrailingZeros().toPlainString())
                .raw("max", lo.max(hi).stripTrailingZeros().toPlainString())
                .raw("step", scale.abs().stripTrailingZeros().toPlainString())
                .put("command_template", "{\"register\":\"" + reading + "\",\"value\":{{ value }}}");
            unit(j, unit);
        } else if (acts && device.device() instanceof PwmOutput) {
            component = "number";
            j.put("command_topic", set).put("min", 0).put("max", 100).put("step", 1);
            unit(j, unit);
        } else if (value instanceof Value.Bool) {
            component = "binary_sensor";
            j.put("payload_on", "ON").put("payload_off", "OFF");
        } else {
            component = "sensor";
            if (value instanceof Value.Numeric) {
                unit(j, unit);
                boolean counter = device.device() instanceof PulseCounter
                    && (reading.equals("total") || reading.equals("quantity"));
                j.put("state_class", counter ? "total_increasing" : "measurement");
                String cls = deviceClass(reading, unit);
                if (cls != null) {
                    j.put("device_class", cls);
                }
            }
        }
        j.raw("availability", "[" + new Json().put("topic", topics.availability()) + ","
            + new Json().put("topic", topics.availability(dev)) + "]");
        j.put("availability_mode", "all");
        j.raw("device", new Json().raw("identifiers", "[\"" + gateway + "_" + dev + "\"]").put("name", dev)
            .put("manufacturer", "Pigeon").put("model", device.driver()).toString());
        return new Announcement(prefix + "/" + component + "/" + gateway + "/" + dev + "_" + reading + "/config",
            j.toString());
    }

    private static void unit(Json j, String unit) {
        if (!unit.isEmpty()) {
            j.put("unit_of_measurement", unit);
        }
    }

    /** The device class for a reading, only when its unit is one HA accepts for that class. */
    static @Nullable String deviceClass(String reading, String unit) {
        String cls = classOf(reading);
        if (cls == null) {
            // A numbered channel (voltage_0, temperature_2, voltage_0_1 for a pair) is of its kind.
            cls = classOf(reading.replaceFirst("(_\\d+)+$", ""));
        }
        return cls != null && CLASS_UNITS.get(cls).contains(unit) ? cls : null;
    }

    private static @Nullable String classOf(String reading) {
        return switch (reading) {
            case "temperature" -> "temperature";
            case "humidity" -> "humidity";
            case "pressure" -> "pressure";
            case "illuminance" -> "illuminance";
            case "pm2_5" -> "pm25";
            case "pm10" -> "pm10";
            case "pm1_0" -> "pm1";
            case "voltage" -> "voltage";
            case "current" -> "current";
            case "power" -> "power";
            case "energy" -> "energy";
            case "co2" -> "carbon_dioxide";
            case "frequency" -> "frequency";
            case "speed" -> "speed";
            case "altitude" -> "distance";
            default -> null;
        };
    }
}
