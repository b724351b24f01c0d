package io.pigeon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** A mosquitto process with its own config file (and password file, TLS listener, persistence as asked). */
final class MosquittoBroker implements TestBroker {
    private final Path dir;
    private final Path conf;
    private final int port = Ports.free();
    private final int tlsPort;
    private final boolean persistent;
    private @Nullable Process process;

    MosquittoBroker(BrokerKind.BrokerConfig config) {
        String binary = findBinary();
        try {
            dir = Files.createTempDirectory("pigeon-mosquitto");
            conf = dir.resolve("mosquitto.conf");
            List<String> lines = new ArrayList<>();
            lines.add("per_listener_settings false");
            if ("root".equals(System.getProperty("user.name"))) {
                // Otherwise mosquitto drops to its own user, which cannot read this private temp directory.
                lines.add("user root");
            }
            lines.add("allow_anonymous " + config.allowAnonymous());
            lines.add("log_dest file " + dir.resolve("mosquitto.log"));
            lines.add("log_type all");
            lines.add("max_queued_messages 100000");
            lines.add("persistence " + config.persistent());
            if (config.persistent()) {
                lines.add("persistence_location " + dir + "/");
                lines.add("autosave_interval 1");
            }
            if (!config.users().isEmpty()) {
                Path pw = dir.resolve("passwords");
                boolean first = true;
                for (Map.Entry<String, String> user : config.users().entrySet()) {
                    List<String> cmd = new ArrayList<>(List.of(passwdBinary(binary), "-b"));
                    if (first) {
                        cmd.add("-c");
                    }
                    cmd.addAll(List.of(pw.toString(), user.getKey(), user.getValue()));
                    run(cmd);
                    first = false;
                }
                lines.add("password_file " + pw);
            }
            lines.add("listener " + port + " 127.0.0.1");
            if (config.tls() != null) {
                tlsPort = Ports.free();
                lines.add("listener " + tlsPort + " 127.0.0.1");
                lines.add("cafile " + config.tls().caFile());
                lines.add("certfile " + config.tls().serverCertFile());
                lines.add("keyfile " + config.tls().serverKeyFile());
                lines.add("require_certificate " + config.requireClientCertificate());
            } else {
                tlsPort = -1;
            }
            Files.write(conf, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        persistent = config.persistent();
        this.binary = binary;
        start();
    }

    private final String binary;

    static String findBinary() {
        for (String candidate : new String[] {"/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto",
            "/usr/bin/mosquitto", "/opt/homebrew/sbin/mosquitto", "/usr/local/bin/mosquitto"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("-Dpigeon.mosquitto=true but no mosquitto binary was found; "
            + "install it (apt-get install -y mosquitto) or run without that option");
    }

    private static String passwdBinary(String mosquitto) {
        Path sibling = Path.of(mosquitto).resolveSibling("mosquitto_passwd");
        if (Files.isExecutable(sibling)) {
            return sibling.toString();
        }
        return "mosquitto_passwd";
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public String name() {
        return "mosquitto";
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int tlsPort() {
        return tlsPort;
    }

    @Override
    public boolean persistent() {
        return persistent;
    }

    @Override
    public synchronized void start() {
        try {
            process = new ProcessBuilder(binary, "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Ports.awaitOpen(port, Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; mosquitto said: " + log(), e);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("stdout.log")) + Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public synchronized void pause() {
        signal("STOP");
    }

    @Override
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            run(List.of("kill", "-" + name, Long.toString(process.pid())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            signal("CONT"); // a stopped process would hold SIGTERM until then
            process.destroy(); // SIGTERM: mosquitto saves its persistence file on the way out
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
            Ports.awaitClosed(port, Duration.ofSeconds(10));
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return name();
    }
}
