package io.pigeon.drivers;

public enum DeviceKind {
    SENSOR, ACTUATOR, BOTH;

    public boolean senses() {
        return this != ACTUATOR;
    }

    public boolean acts() {
        return this != SENSOR;
    }
}
