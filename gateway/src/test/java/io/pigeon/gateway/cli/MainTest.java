package io.pigeon.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    @Test
    void scanReadsTheTreesItIsGivenAndSaysWhatItFound() throws Exception {
        Path sys = dir.resolve("sys");
        Files.createDirectories(sys.resolve("class/hwmon/hwmon0"));
        Files.writeString(sys.resolve("class/hwmon/hwmon0/name"), "cpu_thermal\n");
        Files.writeString(sys.resolve("class/hwmon/hwmon0/temp1_input"), "51234\n");
        Files.createDirectories(dir.resolve("w1/28-000005e2fdc3"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"scan", "--sysfs-root", sys.toString(), "--dev-root", dir.resolve("dev").toString(),
            "--onewire-dir", dir.resolve("w1").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("hwmon0 cpu_thermal (temp1)") && text.contains("28-000005e2fdc3: DS18B20"), text);
        assertTrue(text.contains("  - {name: cpu_thermal, driver: hwmon, chip: cpu_thermal}"), text);
        assertTrue(text.contains("note: no I2C bus"), text);
        assertEquals(2, Main.run(new String[] {"scan", "--everything"}, System.out, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    }

    @Test
    void checkTakesTheConfigFileAsAPlainArgumentToo() throws Exception {
        Path config = Files.writeString(dir.resolve("pigeon.yaml"), """
            mqtt: {host: 127.0.0.1}
            platform: mock
            devices:
              - {name: relay, driver: gpio-out, pin: 27}
            """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"check", config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("config " + config + " is valid"), out.toString(StandardCharsets.UTF_8));
        assertEquals(2, Main.run(new String[] {"check", config.toString(), "other.yaml"}, System.out, System.err),
            "one config file, not two");
    }

    @Test
    void checkRefusesPlatformRaspberrypiOffAPiAndWarnsWhenAutoWouldSimulate() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.pigeon.drivers.Pi4jPlatform.isRaspberryPi(), "not on a Pi");
        String devices = """
            mqtt: {host: 127.0.0.1}
            platform: %s
            devices:
              - {name: relay, driver: gpio-out, pin: 27}
            """;
        Path pi = Files.writeString(dir.resolve("pi.yaml"), devices.formatted("raspberrypi"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"check", pi.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("'platform'") && text.contains("this is not a Raspberry Pi"), text);

        Path auto = Files.writeString(dir.resolve("auto.yaml"), devices.formatted("auto"));
        out.reset();
        assertEquals(0, Main.run(new String[] {"check", auto.toString()}, new PrintStream(out, true,
            StandardCharsets.UTF_8), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(
            "warning: platform auto: this is not a Raspberry Pi, so GPIO, I2C and PWM would be simulated"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void checkWarnsAboutWhatIsValidButLikelyWrong() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "s3cret\n");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path config = Files.writeString(dir.resolve("warn.yaml"), """
            mqtt: {host: 127.0.0.1, username: gw, password_file: %s, tls: {verify_hostname: false}}
            platform: mock
            devices:
              - {name: climate, driver: serial-line, port: /dev/ttyNOSUCH0}
              - {name: door, driver: gpio-in, pin: 17, reading: set}
            """.formatted(password));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"check", config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        assertTrue(text.contains("warning: mqtt.tls.verify_hostname is false"), text);
        assertTrue(text.contains("warning: mqtt.password_file " + password + " is readable by every user"), text);
        assertTrue(text.contains("warning: device 'climate': /dev/ttyNOSUCH0 does not exist now"), text);
        assertTrue(text.contains("warning: device 'door': reading 'set' would publish on"), text);
        assertTrue(!text.contains("s3cret"), "no secret in the output");

        Path empty = Files.writeString(dir.resolve("empty.yaml"), "mqtt: {host: 127.0.0.1}\nplatform: mock\ndevices: []\n");
        out.reset();
        assertEquals(0, Main.run(new String[] {"check", empty.toString()}, new PrintStream(out, true,
            StandardCharsets.UTF_8), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("warning: no devices"), out.toString(StandardCharsets.UTF_8));
    }
}
