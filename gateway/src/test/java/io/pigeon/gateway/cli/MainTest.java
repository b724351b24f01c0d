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
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("config " + config + " is valid"), out.toString());
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
            "warning: platform auto: this is not a Raspberry Pi, so GPIO, I2C and PWM would be simulated"), out.toString());
    }
}
