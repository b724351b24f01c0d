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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
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

    /** Every system call of a group, expanded the way systemd expands it. */
    private static java.util.Set<String> syscalls(String group, java.util.Set<String> seen) throws Exception {
        java.util.Set<String> out = new java.util.TreeSet<>();
        if (!seen.add(group)) {
            return out;
        }
        Result r = exec("systemd-analyze", "syscall-filter", group);
        assertEquals(0, r.code(), r.err());
        for (String line : r.out().split("\n")) {
            String t = line.strip();
            if (line.startsWith("    ") && !t.isEmpty() && !t.startsWith("#")) {
                if (t.startsWith("@")) {
                    out.addAll(syscalls(t, seen));
                } else {
                    out.add(t);
                }
            }
        }
        return out;
    }

    @Test
    void theJvmAndTheGatewayMakeOnlySystemCallsTheUnitsFilterAllows() throws Exception {
        need("strace");
        need("systemd-analyze");
        String unit = Files.readString(Path.of("src/deb/files/pigeon.service"));
        assertTrue(unit.contains("SystemCallFilter=@system-service\n"), "the filter this test checks");
        java.util.Set<String> allowed = syscalls("@system-service", new java.util.HashSet<>());
        // A run as on a Pi with the launcher's JVM options: a serial device, a relay, a 1-Wire probe, the disk
        // outbox, reconnecting to a broker that refuses; then SIGTERM and a clean stop.
        Path w1 = Files.createDirectories(tmp.resolve("w1/28-000000000001"));
        Files.writeString(w1.resolve("w1_slave"), "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
            + "72 01 4b 46 7f ff 0e 10 57 t=23125\n");
        Path config = Files.writeString(tmp.resolve("pigeon.yaml"), """
            mqtt: {host: 127.0.0.1, port: 1, client_id: strace, outbox_dir: %s}
            platform: mock
            devices:
              - {name: climate, driver: serial-line, port: /dev/ttyNOSUCH}
              - {name: relay, driver: gpio-out, pin: 27, safe_state: "OFF"}
              - {name: probe, driver: ds18b20, base_dir: %s, interval: 1s}
            """.formatted(tmp.resolve("outbox"), tmp.resolve("w1")));
        // Through the launcher, as the unit starts it: its shell and tools run under the filter too. A first run
        // writes the class list, the check after it dumps the class-data archive, a second run maps it.
        Map<String, String> env = Map.of("PIGEON_STATE_DIR", Files.createDirectories(tmp.resolve("state")).toString(),
            "PIGEON_JAR", Path.of("target/pigeon-gateway.jar").toAbsolutePath().toString(),
            "PIGEON_DEFAULTS", tmp.resolve("none").toString());
        java.util.Set<String> used = new java.util.TreeSet<>();
        List<String> commands = List.of("run", "check", "run");
        for (int i = 0; i < commands.size(); i++) {
            String command = commands.get(i);
            Path summary = tmp.resolve("strace-" + i + ".txt");
            Result r = exec(env, "strace", "-f", "-qq", "-c", "-o", summary.toString(), "timeout", "--preserve-status",
                "-s", "TERM", "8", "sh", "src/deb/files/pigeon", command, "--config", config.toString());
            assertEquals(0, r.code(), command + " stopped cleanly (by SIGTERM if it ran): " + r.err());
            for (String line : Files.readAllLines(summary)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[0].matches("[0-9.]+") && !f[f.length - 1].equals("total")) {
                    used.add(f[f.length - 1]);
                }
            }
        }
        assertTrue(Files.size(tmp.resolve("state/pigeon-classes.jsa")) > 1_000_000, "the check made the archive");
        assertTrue(used.size() > 30, "strace saw the calls: " + used);
        used.removeAll(allowed);
        assertEquals(java.util.Set.of(), used, "system calls outside @system-service");
    }

    @Test
    void theClassDataArchiveIsMadeFromTheLastRunAndBelongsToItsJar() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path archive = state.resolve("pigeon-classes.jsa");
        Path classes = state.resolve("pigeon-classes.lst");
        Path jar = Path.of("target/pigeon-gateway.jar").toAbsolutePath();
        // The packaged config, with its outbox and status page moved out of the way of this machine.
        Path config = Files.writeString(tmp.resolve("pigeon.yaml"), Files.readString(Path.of("pigeon.yaml"))
            .replace("/var/lib/pigeon/outbox", tmp.resolve("outbox").toString()).replace("0.0.0.0:8080", "127.0.0.1:0"));
        Map<String, String> env = Map.of("PIGEON_STATE_DIR", state.toString(), "PIGEON_JAR", jar.toString(),
            "PIGEON_DEFAULTS", tmp.resolve("none").toString());
        // No list yet: check makes no archive. A run (the broker in pigeon.yaml is not there; it retries) writes
        // the list of the classes it loads; the next check makes the archive from it, quietly.
        Result first = exec(env, "sh", "src/deb/files/pigeon", "check", "--config", config.toString());
        assertEquals(0, first.code(), first.out() + first.err());
        assertFalse(Files.exists(archive));
        Result learn = exec(env, "timeout", "--preserve-status", "-s", "TERM", "6",
            "sh", "src/deb/files/pigeon", "run", "--config", config.toString());
        assertEquals(0, learn.code(), learn.out() + learn.err());
        assertTrue(Files.readString(classes).contains("io/pigeon/mqtt/MqttClient"), "the run's classes are listed");
        Result made = exec(env, "sh", "src/deb/files/pigeon", "check", "--config", config.toString());
        assertEquals(0, made.code(), made.out() + made.err());
        assertTrue(made.out().startsWith("config " + config + " is valid"), made.out() + made.err());
        assertTrue(Files.size(archive) > 1_000_000, "a real archive now: " + Files.size(archive));
        Result dictionary = exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
            "-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit", "-XX:+PrintSharedDictionary",
            "-cp", jar.toString());
        assertTrue(dictionary.out().contains("io.pigeon.mqtt.MqttClient "), dictionary.out() + dictionary.err());
        assertFalse(dictionary.out().contains("org.snakeyaml."), "the YAML library, unloaded after start, is not archived");
        Result mapped = exec(env, "sh", "src/deb/files/pigeon", "check", "--config", config.toString());
        assertEquals(0, mapped.code(), mapped.out() + mapped.err());
        assertEquals("", mapped.err(), "the archive maps cleanly");
        // A run with the archive, as the service runs (its output to the journal): the YAML library comes from
        // the jar, not from the archive, into a loader of its own, and is unloaded once the config is read; the
        // console's lines have no date, so neither tinylog's date formatting nor the time zone rules are loaded.
        Path loaded = tmp.resolve("classes.log");
        Map<String, String> service = new HashMap<>(env);
        service.put("PIGEON_JAVA_OPTS", "-Xlog:class+load=info,class+unload=info:file=" + loaded);
        // JOURNAL_STREAM as systemd sets it: the device and inode of the stream the output goes to (a pipe here).
        Result run = exec(service, "sh", "-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1) exec \"$@\"", "sh",
            "timeout", "--preserve-status", "-s", "TERM", "6", "sh", "src/deb/files/pigeon", "run", "--config", config.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        List<String> yaml = Files.readAllLines(loaded).stream().filter(l -> l.contains("org.snakeyaml.")).toList();
        assertTrue(yaml.stream().anyMatch(l -> l.contains("org.snakeyaml.engine.v2.api.LoadSettings source:")), "loaded");
        assertTrue(yaml.stream().noneMatch(l -> l.contains("shared objects file")), "none from the archive: " + yaml);
        assertTrue(yaml.stream().anyMatch(l -> l.contains("unloading class org.snakeyaml.engine.v2.api.LoadSettings ")),
            "unloaded: " + yaml);
        String all = Files.readString(loaded);
        assertFalse(all.contains("org.tinylog.pattern.DateToken ") || all.contains("java.time.zone.ZoneRulesProvider "),
            "no date in the console's lines, and no time zone rules for them");
        // An archive that the JVM cannot use, as one left from another jar or JVM is: newer than the jar, it
        // is used, and what the JVM says about it goes to stderr, not into check's output.
        Files.writeString(archive, "not a CDS archive");
        Result used = exec(env, "sh", "src/deb/files/pigeon", "check", "--config", config.toString());
        assertTrue(used.out().startsWith("config " + config + " is valid"), used.out() + used.err());
        assertFalse(used.out().contains("[warning]") || used.out().contains("[cds]"), used.out());
        // Older than the jar (an upgrade): the archive and the list go, and the next run writes a new list.
        for (Path p : List.of(archive, classes)) {
            assertTrue(p.toFile().setLastModified(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        }
        Result upgraded = exec(env, "sh", "src/deb/files/pigeon", "check", "--config", config.toString());
        assertEquals(0, upgraded.code(), upgraded.out() + upgraded.err());
        assertFalse(Files.exists(archive) || Files.exists(classes), "both made again from the new jar");
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

    /** An option the JVM does not know stops it: the launcher asks for native heap trimming only where it exists. */
    @Test
    void theLauncherAsksForNativeHeapTrimmingOnlyFromJdk17011On() throws Exception {
        for (String version : List.of("17", "17.0.10", "17.0.11", "17.0.15", "21.0.5")) {
            Path jdk = Files.createDirectories(tmp.resolve("jdk-" + version).resolve("bin"));
            Files.writeString(jdk.getParent().resolve("release"), "IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"" + version
                + "\"\nJAVA_VERSION_DATE=\"2025-04-15\"\n");
            Path fakeJava = Files.writeString(jdk.resolve("java"), "#!/bin/sh\necho \"$*\"\n");
            assertTrue(fakeJava.toFile().setExecutable(true));
            Result r = exec(Map.of("JAVA", fakeJava.toString(), "PIGEON_STATE_DIR", tmp.toString(),
                "PIGEON_DEFAULTS", tmp.resolve("none").toString()), "sh", "src/deb/files/pigeon", "--version");
            assertEquals(0, r.code(), r.err());
            boolean knows = !version.equals("17") && !version.equals("17.0.10");
            assertEquals(knows, r.out().contains("-XX:TrimNativeHeapInterval=5000"), version + ": " + r.out());
        }
    }

    /**
     * Debian policy's documentation: a machine-readable copyright file that names every library the jar bundles
     * (a new dependency fails this until it is added there), and a compressed changelog whose version and
     * maintainer are the package's.
     */
    @Test
    void theCopyrightNamesEveryBundledLibraryAndTheChangelogIsThePackages() throws Exception {
        Path root = unpacked();
        Path doc = root.resolve("usr/share/doc/pigeon");
        String copyright = Files.readString(doc.resolve("copyright"));
        assertTrue(copyright.startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"));
        // The Files patterns of the bundled libraries (all but Pigeon's own "*"), as regular expressions.
        List<Pattern> bundled = copyright.lines().filter(l -> l.startsWith("Files: ") && !l.equals("Files: *"))
            .flatMap(l -> Stream.of(l.substring(7).trim().split("\\s+")))
            .map(glob -> Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q")))
            .toList();
        List<String> unnamed = new ArrayList<>();
        try (ZipFile jar = new ZipFile(root.resolve("usr/share/pigeon/pigeon-gateway.jar").toFile())) {
            jar.stream().map(ZipEntry::getName)
                .filter(n -> !n.endsWith("/") && n.contains("/") && !n.startsWith("META-INF/") && !n.startsWith("io/pigeon/")
                    && !n.startsWith("web/"))
                .filter(n -> bundled.stream().noneMatch(p -> p.matcher(n).matches()))
                .forEach(unnamed::add);
        }
        assertEquals(List.of(), unnamed, "bundled in the jar, but not in the copyright file");
        for (String license : List.of("Apache-2.0", "LGPL-3+", "LGPL-2.1+", "BSD-3-clause", "BSD-2-clause", "Expat")) {
            assertTrue(copyright.contains("\nLicense: " + license + "\n "), license + " has its text (or points at common-licenses)");
        }
        Result changelog = exec("gzip", "-dc", doc.resolve("changelog.gz").toString());
        assertEquals(0, changelog.code(), changelog.err());
        String version = exec("dpkg-deb", "-f", deb.toString(), "Version").out().trim();
        String maintainer = exec("dpkg-deb", "-f", deb.toString(), "Maintainer").out().trim();
        assertTrue(changelog.out().startsWith("pigeon (" + version + ") "), "the changelog's first entry is this version ("
            + version + "): " + changelog.out());
        assertTrue(changelog.out().contains("\n -- " + maintainer + "  "), "signed by the package's maintainer: " + maintainer);
        assertFalse(maintainer.contains("localhost"), maintainer);
    }

    /** The package's files as dpkg would lay them out, under a folder of this test. */
    private Path unpacked() throws IOException, InterruptedException {
        need("dpkg-deb");
        Path root = Files.createDirectories(tmp.resolve("root"));
        assertEquals(0, exec("dpkg-deb", "-x", deb.toString(), root.toString()).code());
        return root;
    }

    /** Debian's own checker: no error and no warning (the two intended ones are overridden, with the reason). */
    @Test
    void lintianFindsNoErrorAndNoWarning() throws Exception {
        need("lintian");
        Result r = exec("lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", deb.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.out().lines().anyMatch(l -> l.startsWith("E:") || l.startsWith("W:")), r.out());
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
        // ...and it runs man for Documentation=man:pigeon(1): the package's manual page, as installed.
        Result r = exec(Map.of("MANPATH", unpacked().resolve("usr/share/man").toString()), "systemd-analyze", "verify",
            copy.toString());
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
        Result help = exec("./install.sh", "--help");
        assertEquals(0, help.code(), "help is not an error");
        assertTrue(help.out().startsWith("usage: ") && help.out().contains("--password-file FILE"), help.out());
        assertEquals("", help.err());

        // The broker password: installed 0640 root:pigeon; the config names a file that exists only on the Pi,
        // so it is checked there, not refused here.
        Path password = Files.writeString(tmp.resolve("mqtt-password"), "s3cret\n");
        Path onPi = Files.writeString(tmp.resolve("on-pi.yaml"), """
            mqtt: {host: broker.lan, username: pigeon, password_file: /etc/pigeon/mqtt-password}
            platform: mock
            devices:
              - {name: relay, driver: gpio-out, pin: 27}
            """);
        Result withPassword = exec("./install.sh", "pi@raspberrypi.local", "--dry-run", "--config", onPi.toString(),
            "--password-file", password.toString());
        assertEquals(0, withPassword.code(), withPassword.out() + withPassword.err());
        assertTrue(withPassword.out().contains("checked on the Pi"), withPassword.out());
        assertTrue(withPassword.out().contains("sudo install -m 640 -o root -g pigeon .pigeon-mqtt-password "
            + "/etc/pigeon/mqtt-password"), withPassword.out());
        assertFalse(withPassword.out().contains("s3cret"), "the password is never printed");
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
