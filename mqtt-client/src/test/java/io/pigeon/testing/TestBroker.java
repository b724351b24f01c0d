package io.pigeon.testing;

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

    /** Freezes the broker process (SIGSTOP): its sockets stay open and nothing is read. Mosquitto only. */
    default void pause() {
        throw new UnsupportedOperationException(name() + " cannot be paused");
    }

    /** Lets a paused broker run again (SIGCONT). */
    default void resume() {
        throw new UnsupportedOperationException(name() + " cannot be paused");
    }

    void start();

    /** Whether sessions and queued messages survive {@link #stop} and {@link #start}. */
    boolean persistent();

    @Override
    void close();
}
