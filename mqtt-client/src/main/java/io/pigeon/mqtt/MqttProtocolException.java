package io.pigeon.mqtt;

import java.io.IOException;

/** The peer broke the MQTT 3.1.1 rules: the connection is closed and, for a client, re-established. */
public final class MqttProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public MqttProtocolException(String message) {
        super(message);
    }
}
