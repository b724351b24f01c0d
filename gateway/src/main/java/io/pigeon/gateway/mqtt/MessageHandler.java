package io.pigeon.gateway.mqtt;

/** Receives messages for a subscription. Runs on the client's connection thread: return quickly. */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(String topic, byte[] payload, int qos, boolean retained);
}
