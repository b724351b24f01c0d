package io.pigeon.mqtt;

/** Learns of connection changes. Called on the client's connection thread: return quickly. */
public interface ConnectionListener {
    /** The broker accepted the connection; {@code sessionPresent} as in its CONNACK. */
    default void connected(boolean sessionPresent) {
    }

    /** The connection was lost or an attempt failed; the client retries unless it was closed. */
    default void disconnected(Throwable cause) {
    }
}
