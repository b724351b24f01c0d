package io.pigeon.gateway.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("pigeon.yaml");

    static final String VALID = """
        mqtt:
          host: broker.local
          port: 1883
          client_id: pigeon-kitchen
          username: gw
          password: s3cret
          keepalive: 30
          topic_prefix: pigeon/kitchen
        platform: mock
        devices:
          - name: climate
            driver: serial-line
            port: /dev/ttyUSB0
            baud: 9600
            parse: kv
            payload: plain
            qos: 1
            interval: 30s
            timeout: 60s
          - name: relay
            driver: gpio-out
            pin: 27
            initial: "OFF"
            safe_state: "OFF"
            failsafe_after: 120s
        """;

    private static GatewayConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(Map.of()).parse(FILE, yaml);
    }

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void theDocumentedExampleIsValid() throws ConfigException {
        GatewayConfig c = parse(VALID);
        assertEquals("broker.local", c.mqtt().host());
        assertEquals("pigeon/kitchen", c.mqtt().topicPrefix());
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), c.mqtt().password());
        assertFalse(c.mqtt().toString().contains("s3cret"), "the password never shows");
        assertEquals(2, c.devices().size());
        DeviceConfig climate = c.device("climate");
        assertEquals(1, climate.qos());
        assertEquals(Duration.ofSeconds(60), climate.timeout());
        assertEquals(Duration.ofMinutes(2), c.device("relay").failsafeAfter());
        assertNull(c.mqtt().outboxDir());
    }

    @Test
    void webListensWhereToldAndOnlyWhenAsked() throws ConfigException {
        assertNull(parse(VALID).web(), "no web: no server");
        assertEquals("0.0.0.0:8080", parse(VALID + "web: {}\n").web().toString());
        assertEquals("127.0.0.1:9000", parse(VALID + "web: {listen: \"127.0.0.1:9000\"}\n").web().toString());
        GatewayConfig.Web v6 = parse(VALID + "web: {listen: \"[::1]:8080\"}\n").web();
        assertEquals("::1", v6.host());
        assertEquals("[::1]:8080", v6.toString());
        for (String bad : new String[] {"8080", "0.0.0.0:80800", "0.0.0.0:", "http://0.0.0.0:8080", "a b:1"}) {
            String e = error(VALID + "web: {listen: \"" + bad + "\"}\n");
            assertTrue(e.contains("section 'web', field 'listen': '" + bad + "' is not HOST:PORT"), e);
        }
        assertTrue(error(VALID + "web: {listen: \"0.0.0.0:8080\", port: 1}\n").contains("'port'"));
    }

    @Test
    void environmentOverridesTheSecrets() throws ConfigException {
        GatewayConfig c = new ConfigLoader(Map.of("PIGEON_MQTT_PASSWORD", "from-env")).parse(FILE, VALID);
        assertArrayEquals("from-env".getBytes(StandardCharsets.UTF_8), c.mqtt().password());
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() {
        String e = error("mqtt:\n  host: [unclosed\ndevices: []\n");
        assertTrue(e.startsWith("pigeon.yaml:"), e);
        assertTrue(e.contains("YAML syntax error"), e);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "driver: serial-line|driver: serial-lines|pigeon.yaml:12: device 'climate', field 'driver': unknown driver 'serial-lines' (did you mean 'serial-line'?)",
        "baud: 9600|baud: fast|pigeon.yaml:14: device 'climate', field 'baud': must be a whole number, not 'fast'",
        "baud: 9600|bauds: 9600|pigeon.yaml:14: device 'climate', field 'bauds': unknown setting (did you mean 'baud'?)",
        "qos: 1|qos: 2|pigeon.yaml:17: device 'climate', field 'qos': 2 is outside 0..1",
        "interval: 30s|interval: soon|pigeon.yaml:18: device 'climate', field 'interval': 'soon' is not a duration (e.g. 30s, 500ms, 2m, 1h)",
        "- name: relay|- name: climate|pigeon.yaml:20: device 'climate', field 'name': duplicate device name 'climate'",
        "pin: 27|pin: 99|pigeon.yaml:22: device 'relay', field 'pin': 99 is outside 0..53",
        "port: 1883|port: 70000|pigeon.yaml:3: section 'mqtt', field 'port': 70000 is outside 1..65535",
        "keepalive: 30|keepalve: 30|pigeon.yaml:7: section 'mqtt', field 'keepalve': unknown setting (did you mean 'keepalive'?)",
        "platform: mock|platfrom: mock|pigeon.yaml:9: section 'top level', field 'platfrom': unknown setting (did you mean 'platform'?)",
        "platform: mock|platform: arduino|pigeon.yaml:9: section 'top level', field 'platform': 'arduino' is not one of auto, raspberrypi, mock",
        "    port: /dev/ttyUSB0|    prot: /dev/ttyUSB0|pigeon.yaml:13: device 'climate', field 'prot': unknown setting (did you mean 'port'?)",
        "pin: 27|pinn: 27|pigeon.yaml:22: device 'relay', field 'pinn': unknown setting (did you mean 'pin'?)",
        "- name: climate|- name: Climate!|pigeon.yaml:11: device 'Climate!', field 'name': 'Climate!' may use only a-z, 0-9, _ and -",
    })
    void badConfigsNameFileLineDeviceAndField(String from, String to, String expected) {
        assertTrue(VALID.contains(from), from);
        assertEquals(expected, error(VALID.replaceFirst(java.util.regex.Pattern.quote(from), to)));
    }

    @Test
    void everyMistakeIsReportedAtOnceUpToTwenty() {
        String three = VALID.replace("port: 1883", "port: 70000").replace("baud: 9600", "baud: fast")
            .replace("pin: 27", "pinn: 27");
        assertEquals("""
            3 problems:
              pigeon.yaml:3: section 'mqtt', field 'port': 70000 is outside 1..65535
              pigeon.yaml:14: device 'climate', field 'baud': must be a whole number, not 'fast'
              pigeon.yaml:22: device 'relay', field 'pinn': unknown setting (did you mean 'pin'?)""", error(three));
        // Several in one device: each is found, not only the first.
        String oneDevice = VALID.replace("pin: 27", "pin: 99").replace("failsafe_after: 120s", "failsafe_afer: 120s")
            .replace("qos: 1", "qos: 5");
        assertEquals("""
            3 problems:
              pigeon.yaml:17: device 'climate', field 'qos': 5 is outside 0..1
              pigeon.yaml:22: device 'relay', field 'pin': 99 is outside 0..53
              pigeon.yaml:25: device 'relay', field 'failsafe_afer': unknown setting (did you mean 'failsafe_after'?)""",
            error(oneDevice));
        // Several in one section too, in the order of the file.
        String mqtt = error(VALID.replace("port: 1883", "port: 99999").replace("keepalive: 30", "keepalive: soon")
            .replace("platform: mock", "platform: arduino"));
        assertEquals("""
            3 problems:
              pigeon.yaml:3: section 'mqtt', field 'port': 99999 is outside 1..65535
              pigeon.yaml:7: section 'mqtt', field 'keepalive': must be a whole number, not 'soon'
              pigeon.yaml:9: section 'top level', field 'platform': 'arduino' is not one of auto, raspberrypi, mock""",
            mqtt);
        String noPort = error(VALID.replace("    port: /dev/ttyUSB0", "    name2: x"));
        assertTrue(noPort.startsWith("2 problems:") && noPort.contains("device 'climate', field 'port': is required")
            && noPort.contains("device 'climate', field 'name2': unknown setting"), noPort);
        StringBuilder many = new StringBuilder("mqtt: {host: h}\nplatform: mock\ndevices:\n");
        for (int i = 0; i < 25; i++) {
            many.append("  - {name: r").append(i).append(", driver: gpio-out, pin: 99}\n");
        }
        String message = error(many.toString());
        assertTrue(message.startsWith("25 problems:\n"), message);
        assertEquals(21, message.lines().count() - 1, message);
        assertTrue(message.endsWith("\n  ... and 5 more"), message);
    }

    @Test
    void whatTheClientCannotUseCheckRefuses() {
        // Before, each of these passed check, then failed in run (exit 0) or reconnected for ever.
        String[][] cases = {
            {"topic_prefix: pigeon/kitchen", "topic_prefix: \"pigeon/\\0kitchen\"",
                "field 'topic_prefix': 'pigeon/\\u0000kitchen' must not contain control characters (NUL, newline, ...)"},
            {"topic_prefix: pigeon/kitchen", "topic_prefix: \"pigeon\\nkitchen\"",
                "field 'topic_prefix': 'pigeon\\nkitchen' must not contain control characters (NUL, newline, ...)"},
            {"topic_prefix: pigeon/kitchen", "topic_prefix: $SYS/pigeon",
                "field 'topic_prefix': '$SYS/pigeon' must not start with '$' (topics for the broker's own use, such as $SYS)"},
            {"topic_prefix: pigeon/kitchen", "topic_prefix: pigeon/+",
                "field 'topic_prefix': 'pigeon/+' must not contain the wildcards + or #"},
            {"client_id: pigeon-kitchen", "client_id: \"pigeon\\0\"",
                "field 'client_id': must not contain control characters (NUL, newline, ...)"},
            {"platform: mock", "platform: mock\nhomeassistant: {discovery_prefix: \"ha/#\"}",
                "section 'homeassistant', field 'discovery_prefix': 'ha/#' must not contain the wildcards + or #"},
        };
        for (String[] c : cases) {
            assertTrue(VALID.contains(c[0]), c[0]);
            String message = error(VALID.replace(c[0], c[1]));
            assertTrue(message.endsWith(c[2]), c[1] + " -> " + message);
        }
    }

    @Test
    void missingSectionsAndWrongShapes() {
        assertEquals("pigeon.yaml: the 'mqtt' section is missing (at least mqtt: {host: ...})", error("devices: []\n"));
        assertTrue(error("mqtt: {host: x}\n").contains("'devices' is missing"));
        assertTrue(error("mqtt: {host: x}\ndevices: 3\n").contains("'devices' must be a list"));
        assertTrue(error("- a\n- b\n").contains("must be a map"));
        assertTrue(error("mqtt: {host: x, password: p}\ndevices: []\n").contains("a password needs a username"));
        assertTrue(error("mqtt: {host: x, topic_prefix: 'a/#'}\ndevices: []\n").contains("topic_prefix"));
        assertTrue(error("mqtt: {host: x, tls: {ca_file: /no/such/ca.pem}}\ndevices: []\n")
            .contains("section 'mqtt.tls', field 'ca_file': file '/no/such/ca.pem' does not exist"));
        String e = error(VALID.replace("      failsafe_after: 120s", "").replace("- name: climate", "- name: climate\n    failsafe_after: 5s"));
        assertTrue(e.contains("needs an actuator with a safe_state"), e);
    }

    /** Files no person writes end in a clear error (exit 2 from the CLI), never a crash or an endless read. */
    @Test
    void hostileConfigFilesAreClearErrors(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertTrue(error("[".repeat(100_000)).contains(FILE.toString()));
        assertTrue(error("{a: ".repeat(20_000) + "1" + "}".repeat(20_000)).contains("nested too deeply"));
        assertTrue(error("mqtt: &m {host: x, again: *m}\ndevices: []\n").contains("nested too deeply"));
        assertTrue(error("mqtt: {host: a}\ndevices: []\ndevices: []\n").contains("devices"), "a second key is refused");
        Path huge = dir.resolve("huge.yaml");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(100L << 20); // 100 MB, sparse
        }
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(huge));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        String zero = error("""
            mqtt: {host: a, username: u, password_file: /dev/zero}
            platform: mock
            devices:
              - {name: relay, driver: gpio-out, pin: 27}
            """);
        assertTrue(zero.contains("password_file") && zero.contains("regular file"), zero);
    }
}
