package io.pigeon.testing;

import io.pigeon.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Moquette in this JVM (behind its connect gate), on a free loopback port. */
final class MoquetteBroker implements TestBroker {
    private final BrokerKind.BrokerConfig config;
    private final int port = Ports.free();
    private @Nullable EmbeddedBroker broker;

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
        try {
            broker = new EmbeddedBroker(port, config.allowAnonymous(), config.users());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
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
