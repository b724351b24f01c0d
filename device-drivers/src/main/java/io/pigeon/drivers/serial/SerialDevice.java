package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Settings;
import jssc.SerialPortException;
import org.jspecify.annotations.Nullable;

/**
 * Base of the serial drivers: opens the port, hands received bytes to {@link #received}, and reports an
 * unplugged adapter as lost. A bad frame is one failure ({@link DeviceContext#failed}); whatever a driver
 * throws while handling bytes counts as a parse error, so no exception ever reaches the serial reader thread.
 */
public abstract class SerialDevice extends NamedDevice {
    protected final SerialSettings serial;
    private @Nullable SerialLink link;

    protected SerialDevice(Settings s, int defaultBaud) {
        super(s, DeviceKind.SENSOR);
        this.serial = SerialSettings.from(s, defaultBaud);
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        reset();
        try {
            link = SerialLink.open(serial, (data, length) -> {
                synchronized (this) {
                    try {
                        received(data, length, ctx);
                    } catch (RuntimeException e) {
                        reset(); // the parser's state is suspect after a throw
                        ctx.failed("parse_errors", "driver error: " + e);
                    }
                }
            }, ctx::lost, ctx.scheduler());
        } catch (SerialPortException e) {
            throw new DeviceException("port " + serial.port() + ": " + describe(e));
        }
    }

    static String describe(SerialPortException e) {
        String type = e.getExceptionType();
        if (type != null && type.contains("Port not found")) {
            return "not found (is the adapter plugged in?)";
        }
        if (type != null && type.contains("Permission denied")) {
            return "permission denied (is the user in the 'dialout' group?)";
        }
        return type != null ? type : String.valueOf(e.getMessage());
    }

    @Override
    public java.util.List<java.nio.file.Path> files() {
        return java.util.List.of(java.nio.file.Path.of(serial.port()));
    }

    protected SerialLink link() {
        return link;
    }

    /** Clears parser state before the port is (re)opened, and after a parser threw. */
    protected abstract void reset();

    /** Bytes from the port, in order; called on the serial reader thread, one call at a time. */
    protected abstract void received(byte[] data, int length, DeviceContext ctx);

    @Override
    public void close() {
        SerialLink l = link;
        link = null;
        if (l != null) {
            l.close();
        }
    }
}
