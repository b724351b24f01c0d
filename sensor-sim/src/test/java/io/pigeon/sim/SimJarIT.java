package io.pigeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged sensor-sim/target/pigeon-sim.jar, as users run it. */
class SimJarIT {
    @TempDir
    Path dir;

    private static ProcessBuilder sim(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", "target/pigeon-sim.jar"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void helpAndUsageErrors() throws Exception {
        Process help = sim("--help").redirectErrorStream(true).start();
        String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(help.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue());
        assertTrue(out.contains("demo") && out.contains("devices") && out.contains("load"), out);
        Process bad = sim("demo", "--frobnicate").redirectErrorStream(true).start();
        String err = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bad.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue());
        assertTrue(err.contains("unknown option '--frobnicate'"), err);
        Process version = sim("--version").redirectErrorStream(true).start();
        String v = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(version.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, version.exitValue());
        assertTrue(v.matches("pigeon-sim \\d+\\.\\d+\\.\\d+.*\n"), v);
    }

    @Test
    void theDemoStartsWithoutLibraryNoise() throws Exception {
        Process demo = sim("demo", "--no-view", "--duration", "3s", "--port", "0")
            .redirectErrorStream(true).start();
        String out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(demo.waitFor(60, TimeUnit.SECONDS), out);
        assertTrue(out.contains("gateway started"), out);
        assertTrue(!out.contains("SLF4J"), "no SLF4J replay or provider lines: " + out);
    }

    @Test
    void devicesRunsTheSerialSimulatorsAndPrintsTheGatewayConfig() throws Exception {
        Path scenario = Files.writeString(dir.resolve("sim.yaml"), """
            seed: 3
            dir: %s
            devices:
              - {name: climate, type: serial-line}
              - {name: gps, type: nmea}
            """.formatted(dir.resolve("tty")));
        Process p = sim("devices", "--config", scenario.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder printed = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.contains("driver: nmea")) {
                printed.append(line).append('\n');
            }
            String config = printed.toString();
            assertTrue(config.contains("- name: climate\n    driver: serial-line\n    port: " + dir.resolve("tty/ttyCLIMATE")), config);
            assertTrue(config.contains("- name: gps"), config);
            try (BufferedReader tty = Files.newBufferedReader(dir.resolve("tty/ttyCLIMATE"), StandardCharsets.US_ASCII)) {
                String reading = tty.readLine();
                assertTrue(reading.matches("temperature=-?[0-9.]+ humidity=[0-9.]+\\r?"), reading);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
