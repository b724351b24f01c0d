package io.pigeon.gateway.bridge;

import io.pigeon.drivers.Value;
import io.pigeon.gateway.config.DeviceConfig;
import io.pigeon.mqtt.MqttClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Home Assistant MQTT discovery: each reading is announced under
 * {@code <prefix>/<component>/<gateway>/<device>_<reading>/config} (retained) when it is first seen, and
 * everything again when Home Assistant says {@code online} on {@code <prefix>/status}. Entities use both
 * the gateway's and the device's availability topic ({@code availability_mode: all}).
 */
final class HomeAssistant {
    private final String prefix;
    private final String root;
    private final String gateway;
    private final MqttClient client;
    private final Map<String, String> announced = new ConcurrentHashMap<>();

    HomeAssistant(String prefix, String root, String gateway, MqttClient client) {
        this.prefix = prefix;
        this.root = root;
        this.gateway = gateway.replaceAll("[^A-Za-z0-9_-]", "_");
        this.client = client;
    }

    void seen(DeviceConfig device, String reading, Value value) {
        String key = device.name() + "_" + reading;
        if (!announced.containsKey(key)) {
            String[] topicAndConfig = config(device, reading, value);
            announced.put(key, topicAndConfig[0] + "\n" + topicAndConfig[1]);
            publish(topicAndConfig[0], topicAndConfig[1]);
        }
    }

    void announceAll() {
        announced.values().forEach(v -> {
            int nl = v.indexOf('\n');
            publish(v.substring(0, nl), v.substring(nl + 1));
        });
    }

    private void publish(String topic, String json) {
        client.publish(topic, json.getBytes(StandardCharsets.UTF_8), 1, true);
    }

    private String[] config(DeviceConfig device, String reading, Value value) {
        String uid = gateway + "_" + device.name() + "_" + reading;
        String dev = device.name();
        boolean actuator = device.device().kind().acts();
        String component;
        Json j = new Json().put("name", dev + " " + reading.replace('_', ' ')).put("unique_id", uid);
        String state = device.jsonPayload() ? root + "/" + dev : root + "/" + dev + "/" + reading;
        j.put("state_topic", state);
        if (device.jsonPayload()) {
            j.put("value_template", "{{ value_json." + reading + " }}");
        }
        if (actuator && value instanceof Value.Bool) {
            component = "switch";
            j.put("command_topic", root + "/" + dev + "/set").put("payload_on", "ON").put("payload_off", "OFF");
        } else if (actuator && value instanceof Value.Numeric) {
            component = "number";
            j.put("command_topic", root + "/" + dev + "/set").put("min", 0).put("max", 100);
        } else if (value instanceof Value.Bool) {
            component = "binary_sensor";
            j.put("payload_on", "ON").put("payload_off", "OFF");
        } else {
            component = "sensor";
            if (value instanceof Value.Numeric n) {
                if (!n.unit().isEmpty()) {
                    j.put("unit_of_measurement", n.unit());
                }
                j.put("state_class", "measurement");
                String cls = deviceClass(reading);
                if (cls != null) {
                    j.put("device_class", cls);
                }
            }
        }
        j.raw("availability", "[" + new Json().put("topic", root + "/availability") + ","
            + new Json().put("topic", root + "/" + dev + "/availability") + "]");
        j.put("availability_mode", "all");
        j.raw("device", new Json().raw("identifiers", "[\"" + gateway + "_" + dev + "\"]").put("name", dev)
            .put("manufacturer", "Pigeon").put("model", device.driver()).put("via_device", gateway).toString());
        return new String[] {prefix + "/" + component + "/" + gateway + "/" + dev + "_" + reading + "/config", j.toString()};
    }

    private static String deviceClass(String reading) {
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
            default -> null;
        };
    }
}
