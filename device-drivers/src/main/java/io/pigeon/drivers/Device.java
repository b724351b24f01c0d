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
