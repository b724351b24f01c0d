package io.pigeon.gateway.testing;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/** Moquette in this JVM, on a free loopback port. */
final class MoquetteBroker implements TestBroker {
    private final BrokerKind.BrokerConfig config;
    private final int port = Ports.free();
    private Server server;

    MoquetteBroker(BrokerKind.BrokerConfig config) {
        if (config.tls() != null) {
            throw new IllegalArgumentException("TLS tests run against mosquitto");
        }
        this.config = config;
        start();
    }

    @Override
    public String name() {
        return "moquette";
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
    public boolean persistent() {
        return false;
    }

    @Override
    public synchronized void start() {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", String.valueOf(port));
        p.setProperty("allow_anonymous", String.valueOf(config.allowAnonymous()));
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("immediate_buffer_flush", "true");
        IAuthenticator auth = (clientId, username, password) -> username != null && password != null
            && new String(password, StandardCharsets.UTF_8).equals(config.users().get(username));
        server = new Server();
        try {
            server.startServer(new MemoryConfig(p), List.of(), null, config.users().isEmpty() ? null : auth, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Ports.awaitOpen(port, Duration.ofSeconds(10));
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
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
