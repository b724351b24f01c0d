package io.pigeon.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Debian package, the systemd unit and the scripts, checked with the tools Debian uses. */
class DebPackageIT {
    private static Path deb;

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result exec(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static Result exec(String... cmd) throws IOException, InterruptedException {
        return exec(Map.of(), cmd);
    }

    static void need(String tool) {
        boolean present = Stream.of("/usr/bin/", "/bin/", "/usr/sbin/", "/usr/local/bin/")
            .anyMatch(d -> Files.isExecutable(Path.of(d + tool)));
        if (!present && Boolean.getBoolean("pigeon.ci")) {
            throw new IllegalStateException(tool + " is required in CI");
        }
        assumeTrue(present, tool + " is not installed");
    }

    @BeforeAll
    static void findPackage() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            deb = files.filter(p -> p.getFileName().toString().matches("pigeon_.*_all\\.deb")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no pigeon_*_all.deb in deploy/target"));
        }
    }

    @Test
    void theLauncherExportsWhatTheDefaultsFileSets() throws Exception {
        // Before, the defaults file was sourced without export: PIGEON_MQTT_PASSWORD there reached the gateway
        // only under systemd (EnvironmentFile=), not when the launcher was run by hand.
        Path defaults = Files.writeString(tmp.resolve("default-pigeon"), "PIGEON_MQTT_PASSWORD=from-defaults\n");
        Path fakeJava = tmp.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"password=$PIGEON_MQTT_PASSWORD\"\n");
        assertTrue(fakeJava.toFile().setExecutable(true));
        Result r = exec(Map.of("PIGEON_DEFAULTS", defaults.toString(), "JAVA", fakeJava.toString(),
            "PIGEON_STATE_DIR", tmp.toString()), "sh", "src/deb/files/pigeon", "--version");
        assertEquals(0, r.code(), r.err());
        assertEquals("password=from-defaults\n", r.out());
    }

    @Test
    void controlFilesDeclareTheRuntimeAndTheConffiles() throws Exception {
        need("dpkg-deb");
        Result info = exec("dpkg-deb", "-I", deb.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("Package: pigeon"), info.out());
        assertTrue(info.out().contains("Architecture: all"), info.out());
        assertTrue(info.out().contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless"), info.out());
        Result conffiles = exec("dpkg-deb", "-f", deb.toString(), "Version");
        assertTrue(conffiles.out().startsWith("0."), conffiles.out());
        Path control = Files.createDirectories(tmp.resolve("control"));
        assertEquals(0, exec("dpkg-deb", "-e", deb.toString(), control.toString()).code());
        assertEquals(List.of("/etc/pigeon/pigeon.yaml", "/etc/default/pigeon"), Files.readAllLines(control.resolve("conffiles")));
        for (String script : new String[] {"postinst", "prerm", "postrm"}) {
            assertTrue(Files.isExecutable(control.resolve(script)), script);
        }
    }

    @Test
    void contentsAreWhereTheIssueSaysWithTheRightModes() throws Exception {
        need("dpkg-deb");
        Result contents = exec("dpkg-deb", "-c", deb.toString());
        assertEquals(0, contents.code(), contents.err());
        String c = contents.out();
        assertTrue(c.matches("(?s).*-rw-r--r-- root/root .* \\./usr/share/pigeon/pigeon-gateway\\.jar\n.*"), c);
        assertTrue(c.matches("(?s).*-rwxr-xr-x root/root .* \\./usr/bin/pigeon\n.*"), c);
        assertTrue(c.matches("(?s).*-rw-r--r-- root/root .* \\./lib/systemd/system/pigeon\\.service\n.*"), c);
        assertTrue(c.matches("(?s).*-rw-r----- root/root .* \\./etc/pigeon/pigeon\\.yaml\n.*"), c);
        assertTrue(c.contains("./var/lib/pigeon/"), c);
    }

    @Test
    void theUnitPassesSystemdAnalyzeVerifyWithNothingOnStderr() throws Exception {
        need("systemd-analyze");
        // verify insists that ExecStart= exists: point it at the launcher of this build, change nothing else.
        Path launcher = Path.of("src/deb/files/pigeon").toAbsolutePath();
        String unit = Files.readString(Path.of("src/deb/files/pigeon.service")).replace("/usr/bin/pigeon", launcher.toString());
        Path copy = Files.writeString(tmp.resolve("pigeon.service"), unit);
        Result r = exec("systemd-analyze", "verify", copy.toString());
        assertEquals("", r.err(), "systemd-analyze verify warnings");
        assertEquals(0, r.code());
        String original = Files.readString(Path.of("src/deb/files/pigeon.service"));
        for (String line : new String[] {"Type=exec", "Restart=on-failure", "User=pigeon", "NoNewPrivileges=yes",
            "ProtectSystem=strict", "ReadWritePaths=/var/lib/pigeon", "ProtectHome=yes", "PrivateTmp=yes",
            "DeviceAllow=char-gpiochip rw", "DeviceAllow=char-tty* rw", "DeviceAllow=char-i2c rw", "DeviceAllow=char-spi rw",
            "ExecStartPre=/usr/bin/pigeon check --config /etc/pigeon/pigeon.yaml", "StartLimitBurst=5",
            // hardware PWM through sysfs under ProtectKernelTunables: the Pi 4's and the Pi 5's PWM devices
            "ReadWritePaths=-/sys/devices/platform/soc/fe20c000.pwm",
            "ReadWritePaths=-/sys/devices/platform/axi/1000120000.pcie/1f00098000.pwm"}) {
            assertTrue(original.contains(line + "\n"), line);
        }
        assertTrue(original.matches("(?s).*\nMemoryMax=\\d+M\n.*"));
    }

    @Test
    void scriptsPassShellcheck() throws Exception {
        need("shellcheck");
        Result r = exec("shellcheck", "src/deb/files/pigeon", "install.sh", "src/deb/control/postinst",
            "src/deb/control/prerm", "src/deb/control/postrm", "arm-smoke.sh");
        assertEquals(0, r.code(), r.out() + r.err());
    }

    @Test
    void installsIntoAThrowawayRootAndRunsFromThere() throws Exception {
        need("dpkg");
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        Result install = exec("dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends",
            "--force-not-root", "--log=/dev/null", "-i", deb.toString());
        assertEquals(0, install.code(), install.out() + install.err());
        Path pigeon = root.resolve("usr/bin/pigeon");
        Map<String, String> env = Map.of("PIGEON_STATE_DIR", root.resolve("var/lib/pigeon").toString());
        Result version = exec(env, pigeon.toString(), "--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("pigeon 0."), version.out());
        Result check = exec(env, pigeon.toString(), "check", "--config", root.resolve("etc/pigeon/pigeon.yaml").toString());
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("is valid"), check.out());
        assertTrue(Files.exists(root.resolve("var/lib/pigeon/pigeon-classes.jsa")), "the first check made the CDS archive");
        Result again = exec(env, pigeon.toString(), "check", "--config", root.resolve("etc/pigeon/pigeon.yaml").toString());
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("Error"), "the archive maps cleanly: " + again.err());

        Result purge = exec("dpkg", "--root=" + root, "--force-script-chrootless", "--force-not-root",
            "--log=/dev/null", "--purge", "pigeon");
        assertEquals(0, purge.code(), purge.out() + purge.err());
        assertFalse(Files.exists(root.resolve("etc/pigeon")), "purge removes the config");
        assertFalse(Files.exists(root.resolve("var/lib/pigeon")), "and the state");
        assertFalse(Files.exists(pigeon));
    }

    @Test
    void installScriptDryRunAndItsErrors() throws Exception {
        Result dry = exec("./install.sh", "pi@raspberrypi.local", "--dry-run", "--config", "pigeon.yaml");
        assertEquals(0, dry.code(), dry.err());
        String out = dry.out();
        List<String> steps = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("+ ")) {
                steps.add(line);
            }
        }
        assertTrue(steps.get(0).startsWith("+ scp ") && steps.get(0).contains(".deb"), out);
        assertTrue(out.contains("sudo apt-get install -y --no-install-recommends /tmp/pigeon_"), out);
        assertTrue(out.contains("sudo -u pigeon pigeon check --config /etc/pigeon/pigeon.yaml"), out);
        assertTrue(out.contains("sudo systemctl restart pigeon.service"), out);
        assertTrue(out.contains("journalctl -u pigeon.service -n 20"), out);

        Result usage = exec("./install.sh");
        assertEquals(2, usage.code());
        Path bad = Files.writeString(tmp.resolve("bad.yaml"), "mqtt: {port: 99999}\ndevices: []\n");
        Result invalid = exec("./install.sh", "pi@raspberrypi.local", "--dry-run", "--config", bad.toString());
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().contains("does not validate"), invalid.err());
        Result unreachable = exec("./install.sh", "nobody@127.0.0.1:1", "--config", "pigeon.yaml");
        assertEquals(1, unreachable.code());
        assertTrue(unreachable.err().contains("cannot reach nobody@127.0.0.1:1 over ssh"), unreachable.err());

        // A Pi that answers over ssh but has no Java runtime and no apt candidate for one: a stand-in ssh
        // that succeeds for 'true' and fails the Java probe, first on PATH.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fakeSsh = Files.writeString(bin.resolve("ssh"), "#!/bin/sh\nfor a; do last=$a; done\n"
            + "[ \"$last\" = true ] && exit 0\nexit 1\n");
        assertTrue(fakeSsh.toFile().setExecutable(true));
        Result noJava = exec(Map.of("PATH", bin + ":" + System.getenv("PATH")), "./install.sh", "pi@raspberrypi.local");
        assertEquals(1, noJava.code(), noJava.out() + noJava.err());
        assertTrue(noJava.err().contains("has no Java 17+ runtime and apt offers none"), noJava.err());
    }
}
