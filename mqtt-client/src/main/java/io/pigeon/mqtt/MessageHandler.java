package io.pigeon.mqtt;

/** Receives messages for a subscription. Runs on the client's connection thread: return quickly. */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(String topic, byte[] payload, int qos, boolean retained);

    /**
     * A message larger than the client's maximum packet size arrived on this subscription: it was acknowledged
     * as its QoS requires and skipped without being held ({@code length} is the whole packet's size). The
     * connection stays up. By default nothing more happens; the count is in {@link MqttStats#oversized()}.
     */
    default void oversized(String topic, int length, int qos, boolean retained) {
    }
}
