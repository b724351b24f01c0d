package io.pigeon.gateway.config;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.Drivers;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.SettingsException;
import io.pigeon.mqtt.MqttOptions;
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
import org.jspecify.annotations.Nullable;

/**
 * Reads and checks {@code pigeon.yaml}: YAML syntax, every key known (with a "did you mean"), every value
 * of the right type and range, device names unique, drivers known and their settings valid. Nothing is
 * opened. Environment variables {@code PIGEON_MQTT_USERNAME} and {@code PIGEON_MQTT_PASSWORD} override
 * the file, so a secret need not be written into it.
 */
public final class ConfigLoader {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9_-]+");

    private final Map<String, String> env;
    private final Pi4jPlatform platformOverride;

    public ConfigLoader(Map<String, String> env) {
        this(env, null);
    }

    /** @param platform the Pi4J platform to hand the drivers (the simulator brings its own), or null */
    public ConfigLoader(Map<String, String> env, @Nullable Pi4jPlatform platform) {
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
        // Every mistake at once (up to MAX_ERRORS): each section and each device is checked on its own.
        List<String> errors = new ArrayList<>();
        Settings top = Settings.section("top level", (Map<String, ?>) tree.root, tree::where).collecting();
        GatewayConfig.Mqtt mqtt = attempt(errors, () -> mqtt(top.section("mqtt"), file));
        Pi4jPlatform pi4j = attempt(errors, () -> {
            String platform = top.choice("platform", "auto", "auto", "raspberrypi", "mock");
            Integer pwmChip = top.has("pwm_chip") ? top.integer("pwm_chip", 0, 0, 16) : null; // null: found in sysfs
            try {
                return platformOverride != null ? platformOverride : Pi4jPlatform.of(platform, pwmChip);
            } catch (IllegalArgumentException e) {
                throw top.error("platform", e.getMessage());
            }
        });
        Path oneWire = attempt(errors, () -> Path.of(top.string("onewire_dir", "/sys/bus/w1/devices")));
        // Where hwmon and IIO devices are found: /sys on a Pi; a folder of its own for tests and the simulator.
        Path sysfsRoot = attempt(errors, () -> Path.of(top.string("sysfs_root", "/sys")));
        Integer maxCommandBytes = attempt(errors,
            () -> top.integer("max_command_bytes", 64 * 1024, 16, 16 * 1024 * 1024));
        GatewayConfig.Log log = attempt(errors, () -> {
            Settings logSection = top.section("log");
            if (logSection == null) {
                return new GatewayConfig.Log("info", null);
            }
            String logFile = logSection.string("file", null);
            GatewayConfig.Log l = new GatewayConfig.Log(logSection.choice("level", "info", "trace", "debug", "info",
                "warn", "error"), logFile == null ? null : Path.of(logFile));
            logSection.rejectUnknown();
            return l;
        });
        Duration healthInterval = attempt(errors, () -> {
            Settings health = top.section("health");
            if (health == null) {
                return Duration.ofSeconds(60);
            }
            Duration d = health.duration("interval", Duration.ofSeconds(60));
            health.rejectUnknown();
            return d;
        });
        String[] discovery = {null};
        attempt(errors, () -> {
            Settings ha = top.section("homeassistant");
            if (ha != null) {
                discovery[0] = ha.string("discovery_prefix", "homeassistant");
                String bad = topicProblem(discovery[0]);
                if (bad != null) {
                    throw ha.error("discovery_prefix", bad);
                }
                ha.rejectUnknown();
            }
            return null;
        });
        GatewayConfig.Web web = attempt(errors, () -> {
            Settings w = top.section("web");
            if (w == null) {
                return null;
            }
            String listen = w.string("listen", "0.0.0.0:8080");
            GatewayConfig.Web parsed = listen(listen);
            if (parsed == null) {
                throw w.error("listen", "'" + listen + "' is not HOST:PORT with a port from 0 to 65535 (e.g. "
                    + "\"0.0.0.0:8080\" for every interface, \"127.0.0.1:8080\" for this machine only, "
                    + "\"[::]:8080\" for IPv6)");
            }
            w.rejectUnknown();
            return parsed;
        });
        // With a bad platform setting the devices are still checked, on the mock platform.
        Drivers.Hardware hardware = new Drivers.Hardware(pi4j != null ? pi4j : Pi4jPlatform.of("mock"),
            oneWire != null ? oneWire : Path.of("/sys/bus/w1/devices"), sysfsRoot != null ? sysfsRoot : Path.of("/sys"));
        List<DeviceConfig> devices = new ArrayList<>();
        Object list = ((Map<String, Object>) tree.root).get("devices");
        top.has("devices");
        if (list == null) {
            errors.add(tree.where("") + ": 'devices' is missing: list at least one device");
        } else if (!(list instanceof List<?> entries)) {
            errors.add(tree.where("devices") + ": 'devices' must be a list");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                String path = "devices[" + i + "]";
                if (!(entries.get(i) instanceof Map<?, ?> m)) {
                    errors.add(tree.where(path) + ": device " + (i + 1) + " must be a map of settings");
                    continue;
                }
                int index = i;
                DeviceConfig d = attempt(errors, () -> device(index, (Map<String, Object>) m,
                    k -> tree.where(path + "." + k), names, hardware));
                if (d != null) {
                    devices.add(d);
                }
            }
        }
        attempt(errors, () -> {
            top.rejectUnknown();
            return null;
        });
        top.problems().forEach(p -> errors.add(p.getMessage())); // the top level's and its sections' own
        if (!errors.isEmpty()) {
            errors.sort(java.util.Comparator.comparingInt(ConfigLoader::lineOf)); // in the order of the file
            List<String> shown = errors.subList(0, Math.min(MAX_ERRORS, errors.size()));
            throw new ConfigException((errors.size() == 1 ? "" : errors.size() + " problems:\n  ")
                + String.join("\n  ", shown)
                + (errors.size() > MAX_ERRORS ? "\n  ... and " + (errors.size() - MAX_ERRORS) + " more" : ""));
        }
        return new GatewayConfig(file, mqtt, pi4j, oneWire, log, healthInterval, discovery[0], devices,
            maxCommandBytes, web);
    }

    private static final java.util.regex.Pattern LISTEN =
        java.util.regex.Pattern.compile("^(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]+)):(\\d{1,5})$");

    /** {@code HOST:PORT} or {@code [IPv6]:PORT}; null when it is neither. */
    static GatewayConfig. @Nullable Web listen(String text) {
        java.util.regex.Matcher m = LISTEN.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        int port = Integer.parseInt(m.group(3));
        return port > 65_535 ? null : new GatewayConfig.Web(m.group(1) != null ? m.group(1) : m.group(2), port);
    }

    private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile("^[^:]*:(\\d+):");

    /** The line a problem names ({@code file:12: ...}), or 0 for one that names none. */
    private static int lineOf(String problem) {
        java.util.regex.Matcher m = LINE.matcher(problem);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** At most this many problems are reported at once. */
    static final int MAX_ERRORS = 20;

    /** A part of the config that may fail on its own. */
    private interface Part<T> {
        T read() throws ConfigException;
    }

    /** Reads a part; a problem is recorded (and null returned) so that the next part is still checked. */
    private static <T> T attempt(List<String> errors, Part<T> part) {
        try {
            return part.read();
        } catch (Problems e) {
            errors.addAll(e.messages);
            return null;
        } catch (ConfigException | SettingsException e) {
            errors.add(e.getMessage());
            return null;
        }
    }

    private GatewayConfig.Mqtt mqtt(Settings s, Path file) throws ConfigException {
        if (s == null) {
            throw new ConfigException(file + ": the 'mqtt' section is missing (at least mqtt: {host: ...})");
        }
        String host = s.string("host", MqttOptions.DEFAULTS.host());
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
        int port = s.integer("port", tls != null ? 8883 : MqttOptions.DEFAULTS.port(), 1, 65_535);
        String hostname = hostname();
        String clientId = s.string("client_id", "pigeon-" + hostname);
        if (clientId.isEmpty() || clientId.length() > 128) {
            throw s.error("client_id", "must be 1 to 128 characters");
        }
        if (hasControl(clientId)) {
            throw s.error("client_id", "must not contain control characters (NUL, newline, ...)");
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
        int keepalive = s.integer("keepalive", MqttOptions.DEFAULTS.keepAlive(), 0, 65_535);
        String prefix = s.string("topic_prefix", "pigeon/" + hostname);
        String bad = topicProblem(prefix);
        if (bad != null) {
            throw s.error("topic_prefix", bad);
        }
        String outbox = s.string("outbox_dir", null);
        long outboxMax = ((long) s.number("outbox_max_mb", 64, 1, 1_000_000)) * 1024 * 1024;
        Settings buffer = s.section("buffer");
        // The client's own defaults: one set, in MqttOptions.
        int bufferMessages = MqttOptions.DEFAULTS.maxBufferedMessages();
        long bufferBytes = MqttOptions.DEFAULTS.maxBufferedBytes();
        if (buffer != null) {
            bufferMessages = buffer.integer("messages", bufferMessages, 1, 10_000_000);
            bufferBytes = (long) buffer.number("bytes", (double) bufferBytes, 1024, 1e12);
            buffer.rejectUnknown();
        }
        int maxInflight = s.integer("max_inflight", MqttOptions.DEFAULTS.maxInflight(), 1, 65_000);
        s.rejectUnknown();
        return new GatewayConfig.Mqtt(host, port, clientId, username, password, keepalive, prefix, ca, cert, key,
            tls != null, verify, outbox == null ? null : Path.of(outbox), outboxMax, bufferMessages, bufferBytes, maxInflight,
            passwordFile);
    }

    private static @Nullable Path existing(Settings s, String key) {
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

    /**
     * Why a configured topic prefix cannot be used to publish and subscribe, or null: the same rule for
     * {@code check} and {@code run}, so that nothing {@code check} passes fails later in the client.
     */
    static @Nullable String topicProblem(String prefix) {
        String shown = "'" + io.pigeon.gateway.json.Logs.escape(prefix) + "'";
        if (prefix.isEmpty()) {
            return "must not be empty";
        }
        if (prefix.contains("+") || prefix.contains("#")) {
            return shown + " must not contain the wildcards + or #";
        }
        if (prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
            return shown + " must not start or end with '/' or have an empty level";
        }
        if (prefix.startsWith("$")) {
            return shown + " must not start with '$' (topics for the broker's own use, such as $SYS)";
        }
        if (hasControl(prefix)) {
            return shown + " must not contain control characters (NUL, newline, ...)";
        }
        if (prefix.getBytes(StandardCharsets.UTF_8).length > 1024) {
            return "must be at most 1024 bytes long";
        }
        return null;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFF || c == 0xFFFE);
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

    /** One device: every problem in it is reported (a {@link Problems}), not only the first. */
    private DeviceConfig device(int index, Map<String, Object> values, Function<String, String> where,
                                Set<String> names, Drivers.Hardware hardware) throws ConfigException {
        Object rawName = values.get("name");
        String label = rawName == null ? "#" + (index + 1) : rawName.toString();
        Settings s = new Settings(label, values, where).collecting();
        String name = s.requireString("name");
        if (!NAME.matcher(name).matches()) {
            s.record(s.error("name", "'" + name + "' may use only a-z, 0-9, _ and -"));
        } else if (Topics.RESERVED_DEVICE_NAMES.contains(name)) {
            s.record(s.error("name", "'" + name + "' is reserved for the gateway's own topics"));
        } else if (!names.add(name)) {
            s.record(s.error("name", "duplicate device name '" + name + "'"));
        }
        String driver = s.requireString("driver");
        boolean json = "json".equals(s.choice("payload", "plain", "plain", "json"));
        int qos = s.integer("qos", 0, 0, 1);
        boolean retain = s.bool("retain", false);
        Duration interval = s.duration("interval", Duration.ofSeconds(30));
        if (interval.toMillis() < 10) {
            s.record(s.error("interval", "must be at least 10ms"));
        }
        Duration timeout = s.duration("timeout", null);
        boolean onChange = s.bool("on_change", false);
        double deadband = s.number("deadband", 0, 0, 1e12);
        Duration heartbeat = s.duration("heartbeat", null);
        int decimals = s.integer("decimals", -1, -1, 10);
        Duration failsafe = s.duration("failsafe_after", null);
        Duration retryMax = s.duration("retry_max", Duration.ofSeconds(30));
        int errorsBeforeOffline = s.integer("errors_before_offline", 3, 1, 1000);
        Device device = null;
        try {
            device = Drivers.create(driver, s, hardware);
            if (failsafe != null && (!device.kind().acts() || !(device instanceof Device.Actuator a)
                || a.safeState() == null)) {
                s.record(s.error("failsafe_after", "needs an actuator with a safe_state"));
            }
            s.rejectUnknown(); // only when the driver read all its settings: else its own keys look unknown
        } catch (SettingsException e) {
            s.record(e);
        }
        if (!s.problems().isEmpty()) {
            throw new Problems(s.problems().stream().map(SettingsException::getMessage).toList());
        }
        return new DeviceConfig(name, driver, device, json, qos, retain, interval, timeout, onChange, deadband,
            heartbeat, decimals, failsafe, retryMax, errorsBeforeOffline);
    }

    /** Several problems of one part of the config. */
    static final class Problems extends ConfigException {
        private static final long serialVersionUID = 1L;
        final transient List<String> messages;

        Problems(List<String> messages) {
            super(String.join("\n", messages));
            this.messages = messages;
        }
    }
}
