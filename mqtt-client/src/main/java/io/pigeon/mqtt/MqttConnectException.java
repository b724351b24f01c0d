package io.pigeon.mqtt;

import java.io.IOException;

/** The broker refused the connection with a CONNACK return code (§3.2.2.3). */
public final class MqttConnectException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int returnCode;

    public MqttConnectException(int returnCode) {
        super(describe(returnCode));
        this.returnCode = returnCode;
    }

    public int returnCode() {
        return returnCode;
    }

    static String describe(int code) {
        return switch (code) {
            case 1 -> "connection refused (1): the broker does not support MQTT 3.1.1 (unacceptable protocol version)";
            case 2 -> "connection refused (2): the broker rejected the client identifier";
            case 3 -> "connection refused (3): the MQTT service is unavailable on the broker";
            case 4 -> "connection refused (4): bad user name or password";
            case 5 -> "connection refused (5): not authorised";
            default -> "connection refused with unknown return code " + code;
        };
    }
}
