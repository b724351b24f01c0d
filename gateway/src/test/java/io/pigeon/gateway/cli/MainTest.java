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
}
