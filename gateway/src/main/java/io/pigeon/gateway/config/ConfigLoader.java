package io.pigeon.gateway.config;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.Drivers;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads and checks {@code pigeon.yaml}: YAML syntax, every key known (with a "did you mean"), every value
 * of the right type and range, device names unique, drivers known and their settings valid. Nothing is
 * opened. Environment variables {@code PIGEON_MQTT_USERNAME} and {@code PIGEON_MQTT_PASSWORD} override
 * the file, so a secret need not be written into it.
 */
public final class ConfigLoader {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9_-]+");
    private static final Set<String> RESERVED = Set.of("availability", "alerts", "health", "sim", "set", "state", "error");

    private final Map<String, String> env;
    private final Pi4jPlatform platformOverride;

    public ConfigLoader(Map<String, String> env) {
        this(env, null);
    }

    /** @param platform the Pi4J platform to hand the drivers (the simulator brings its own), or null */
    public ConfigLoader(Map<String, String> env, Pi4jPlatform platform) {
        this.env = env;
        this.platformOverride = platform;
    }

    /** The largest config file read, and the largest password file: nothing a person writes is bigger. */
    static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_PASSWORD_BYTES = 64 * 1024;

    public GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
                throw new ConfigException(file + ": too large (" + Files.size(file) + " bytes; a config is at most "
                    + MAX_BYTES + ")");
            }
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new ConfigException(file + ": not a regular file");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file, text);
    }

    @SuppressWarnings("unchecked")
    public GatewayConfig parse(Path file, String text) throws ConfigException {
        YamlTree tree = YamlTree.parse(file.toString(), text);
        if (!(tree.root instanceof Map)) {
            throw new ConfigException(file + ": the config must be a map with at least 'mqtt' and 'devices'");
        }
        try {
            Settings top = Settings.section("top level", (Map<String, ?>) tree.root, tree::where);
            GatewayConfig.Mqtt mqtt = mqtt(top.section("mqtt"), file);
            String platform = top.choice("platform", "auto", "auto", "raspberrypi", "mock");
            int pwmChip = top.integer("pwm_chip", 0, 0, 16);
            Path oneWire = Path.of(top.string("onewire_dir", "/sys/bus/w1/devices"));
            int maxCommandBytes = top.integer("max_command_bytes", 64 * 1024, 16, 16 * 1024 * 1024);
            Settings logSection = top.section("log");
            GatewayConfig.Log log = new GatewayConfig.Log("info", null);
            if (logSection != null) {
                String file1 = logSection.string("file", null);
                log = new GatewayConfig.Log(logSection.choice("level", "info", "trace", "debug", "info", "warn", "error"),
                    file1 == null ? null : Path.of(file1));
                logSection.rejectUnknown();
            }
            Settings health = top.section("health");
            Duration healthInterval = Duration.ofSeconds(60);
            if (health != null) {
                healthInterval = health.duration("interval", healthInterval);
                health.rejectUnknown();
            }
            Settings ha = top.section("homeassistant");
            String discovery = null;
            if (ha != null) {
                discovery = ha.string("discovery_prefix", "homeassistant");
                ha.rejectUnknown();
            }
            Pi4jPlatform pi4j = platformOverride != null ? platformOverride : Pi4jPlatform.of(platform, pwmChip);
            Drivers.Hardware hardware = new Drivers.Hardware(pi4j, oneWire);
            List<DeviceConfig> devices = new ArrayList<>();
            Object list = ((Map<String, Object>) tree.root).get("devices");
            top.has("devices");
            if (list == null) {
                throw new ConfigException(tree.where("") + ": 'devices' is missing: list at least one device");
            }
            if (!(list instanceof List<?> entries)) {
                throw new ConfigException(tree.where("devices") + ": 'devices' must be a list");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                String path = "devices[" + i + "]";
                if (!(entries.get(i) instanceof Map<?, ?> m)) {
                    throw new ConfigException(tree.where(path) + ": device " + (i + 1) + " must be a map of settings");
                }
                devices.add(device(i, (Map<String, Object>) m, k -> tree.where(path + "." + k), names, hardware));
            }
            top.rejectUnknown();
            return new GatewayConfig(file, mqtt, platform, pwmChip, oneWire, log, healthInterval, discovery, devices,
                maxCommandBytes);
        } catch (SettingsException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private GatewayConfig.Mqtt mqtt(Settings s, Path file) throws ConfigException {
        if (s == null) {
            throw new ConfigException(file + ": the 'mqtt' section is missing (at least mqtt: {host: ...})");
        }
        String host = s.string("host", "127.0.0.1");
        Settings tls = s.section("tls");
        Path ca = null;
        Path cert = null;
        Path key = null;
        boolean verify = true;
        if (tls != null) {
            ca = existing(tls, "ca_file");
            cert = existing(tls, "cert_file");
            key = existing(tls, "key_file");
            verify = tls.bool("verify_hostname", true);
            if ((cert == null) != (key == null)) {
                throw tls.error(cert == null ? "cert_file" : "key_file", "a client certificate needs both cert_file and key_file");
            }
            tls.rejectUnknown();
        }
        int port = s.integer("port", tls != null ? 8883 : 1883, 1, 65_535);
        String hostname = hostname();
        String clientId = s.string("client_id", "pigeon-" + hostname);
        if (clientId.isEmpty() || clientId.length() > 128) {
            throw s.error("client_id", "must be 1 to 128 characters");
        }
        String username = env.getOrDefault("PIGEON_MQTT_USERNAME", s.string("username", null));
        byte[] password = null;
        String inline = s.string("password", null);
        Path passwordFile = s.has("password_file") ? existing(s, "password_file") : null;
        if (inline != null && passwordFile != null) {
            throw s.error("password_file", "give password or password_file, not both");
        }
        if (inline != null) {
            password = inline.getBytes(StandardCharsets.UTF_8);
        } else if (passwordFile != null) {
            try {
                if (!Files.isRegularFile(passwordFile) || Files.size(passwordFile) > MAX_PASSWORD_BYTES) {
                    throw s.error("password_file", "must be a regular file of at most " + MAX_PASSWORD_BYTES + " bytes");
                }
                password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw s.error("password_file", "cannot be read: " + e.getMessage());
            }
        }
        String envPassword = env.get("PIGEON_MQTT_PASSWORD");
        if (envPassword != null) {
            password = envPassword.getBytes(StandardCharsets.UTF_8);
        }
        if (password != null && username == null) {
            throw s.error("password", "a password needs a username");
        }
        int keepalive = s.integer("keepalive", 30, 0, 65_535);
        String prefix = s.string("topic_prefix", "pigeon/" + hostname);
        if (prefix.isEmpty() || prefix.contains("+") || prefix.contains("#") || prefix.startsWith("/") || prefix.endsWith("/")) {
            throw s.error("topic_prefix", "'" + prefix + "' must be a topic without wildcards or leading/trailing '/'");
        }
        String outbox = s.string("outbox_dir", null);
        long outboxMax = (long) s.number("outbox_max_mb", 64, 1, 1_000_000) * 1024 * 1024;
        Settings buffer = s.section("buffer");
        int bufferMessages = 10_000;
        long bufferBytes = 2L * 1024 * 1024;
        if (buffer != null) {
            bufferMessages = buffer.integer("messages", bufferMessages, 1, 10_000_000);
            bufferBytes = (long) buffer.number("bytes", bufferBytes, 1024, 1e12);
            buffer.rejectUnknown();
        }
        int maxInflight = s.integer("max_inflight", 32, 1, 65_000);
        s.rejectUnknown();
        return new GatewayConfig.Mqtt(host, port, clientId, username, password, keepalive, prefix, ca, cert, key,
            tls != null, verify, outbox == null ? null : Path.of(outbox), outboxMax, bufferMessages, bufferBytes, maxInflight);
    }

    private static Path existing(Settings s, String key) {
        String v = s.string(key, null);
        if (v == null) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw s.error(key, "file '" + v + "' does not exist or cannot be read");
        }
        return p;
    }

    static String hostname() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = "gateway";
            }
        }
        h = h.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        int dot = h.indexOf('.');
        return dot > 0 ? h.substring(0, dot) : h;
    }

    private DeviceConfig device(int index, Map<String, Object> values, Function<String, String> where,
                                Set<String> names, Drivers.Hardware hardware) throws ConfigException {
        Object rawName = values.get("name");
        String label = rawName == null ? "#" + (index + 1) : rawName.toString();
        Settings s = new Settings(label, values, where);
        String name = s.requireString("name");
        if (!NAME.matcher(name).matches()) {
            throw s.error("name", "'" + name + "' may use only a-z, 0-9, _ and -");
        }
        if (RESERVED.contains(name)) {
            throw s.error("name", "'" + name + "' is reserved for the gateway's own topics");
        }
        if (!names.add(name)) {
            throw s.error("name", "duplicate device name '" + name + "'");
        }
        String driver = s.requireString("driver");
        boolean json = "json".equals(s.choice("payload", "plain", "plain", "json"));
        int qos = s.integer("qos", 0, 0, 1);
        boolean retain = s.bool("retain", false);
        Duration interval = s.duration("interval", Duration.ofSeconds(30));
        if (interval.toMillis() < 10) {
            throw s.error("interval", "must be at least 10ms");
        }
        Duration timeout = s.duration("timeout", null);
        boolean onChange = s.bool("on_change", false);
        double deadband = s.number("deadband", 0, 0, 1e12);
        Duration heartbeat = s.duration("heartbeat", null);
        int decimals = s.integer("decimals", -1, -1, 10);
        Duration failsafe = s.duration("failsafe_after", null);
        Duration retryMax = s.duration("retry_max", Duration.ofSeconds(30));
        Device device = Drivers.create(driver, s, hardware);
        if (failsafe != null && (!device.kind().acts() || !(device instanceof Device.Actuator a) || a.safeState() == null)) {
            throw s.error("failsafe_after", "needs an actuator with a safe_state");
        }
        s.rejectUnknown();
        return new DeviceConfig(name, driver, device, json, qos, retain, interval, timeout, onChange, deadband,
            heartbeat, decimals, failsafe, retryMax);
    }
}
