package io.pigeon.drivers.serial;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.Settings;
import jssc.SerialPortException;

/**
 * Base of the serial drivers: opens the port, hands received bytes to {@link #received}, and reports an
 * unplugged adapter as lost. After {@value #TROUBLE_AFTER} bad frames in a row the device is reported
 * offline with the reason, and online again at the next good one.
 */
public abstract class SerialDevice implements Device {
    static final int TROUBLE_AFTER = 10;

    private final String name;
    protected final SerialSettings serial;
    private SerialLink link;
    private int badInARow;

    protected SerialDevice(Settings s, int defaultBaud) {
        this.name = s.device();
        this.serial = SerialSettings.from(s, defaultBaud);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.SENSOR;
    }

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        badInARow = 0;
        reset();
        try {
            link = SerialLink.open(serial, (data, length) -> {
                synchronized (this) {
                    received(data, length, ctx);
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

    protected SerialLink link() {
        return link;
    }

    /** Clears parser state before the port is (re)opened. */
    protected abstract void reset();

    /** Bytes from the port, in order; called on jssc's thread, one call at a time. */
    protected abstract void received(byte[] data, int length, DeviceContext ctx);

    /** A frame was good: ends a run of bad ones. */
    protected void good() {
        badInARow = 0;
    }

    /** A frame was bad: counted, and reported once too many came in a row. */
    protected void bad(DeviceContext ctx, String counter, String what) {
        ctx.count(counter);
        if (++badInARow == TROUBLE_AFTER) {
            // Once: the counters keep the tally, the alert and the log need not repeat it every frame.
            ctx.trouble(what + ": " + TROUBLE_AFTER + " in a row");
        }
    }

    @Override
    public void close() {
        SerialLink l = link;
        link = null;
        if (l != null) {
            l.close();
        }
    }
}
