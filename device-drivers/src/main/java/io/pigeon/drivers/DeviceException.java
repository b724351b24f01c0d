package io.pigeon.drivers;

/** A device could not be opened, read or driven; the message says why in words a user understands. */
public class DeviceException extends Exception {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
