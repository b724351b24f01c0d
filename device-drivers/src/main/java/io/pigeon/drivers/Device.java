package io.pigeon.drivers;

/**
 * A sensor or actuator. The lifecycle is open, read or act, close; a {@link DeviceSupervisor} drives it,
 * so a driver only says what happened and never retries on its own.
 */
public interface Device {
    String name();

    DeviceKind kind();

    /** Opens the device. An event-driven device starts pushing readings to {@code context} here. */
    void open(DeviceContext context) throws DeviceException;

    /** Releases the device. Never throws; safe to call twice. */
    void close();

    /**
     * Files the device opens that need not exist yet (a USB serial adapter plugged in later): {@code check}
     * warns about those missing at check time instead of refusing the config.
     */
    default java.util.List<java.nio.file.Path> files() {
        return java.util.List.of();
    }

    /** The readings the config declares for this device (register names, CSV fields, ...), where it does. */
    default java.util.List<String> declaredReadings() {
        return java.util.List.of();
    }

    /**
     * True when the readings are whatever the device sends (a serial line's keys), so that only the
     * {@link #declaredReadings} are announced to Home Assistant; false when the driver fixes them.
     */
    default boolean freeFormReadings() {
        return false;
    }

    /** Polled devices (I2C, 1-Wire, Modbus) read here; the gateway owns the schedule. */
    interface Polled extends Device {
        void poll(DeviceContext context) throws DeviceException;
    }

    /** Devices that accept commands and report the resulting state as readings. */
    interface Actuator extends Device {
        void apply(Command command, DeviceContext context) throws DeviceException;

        /** The command that puts the actuator in its safe state, or null if none is configured. */
        Command safeState();
    }
}
