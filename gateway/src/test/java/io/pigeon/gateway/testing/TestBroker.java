package io.pigeon.gateway.testing;

/** A real MQTT broker started by a test on a free loopback port. Restartable on the same port. */
public interface TestBroker extends AutoCloseable {
    String name();

    String host();

    int port();

    /** Port of the TLS listener, or -1 when the broker was started without TLS. */
    default int tlsPort() {
        return -1;
    }

    void stop();

    void start();

    /** Whether sessions and queued messages survive {@link #stop} and {@link #start}. */
    boolean persistent();

    @Override
    void close();
}
