package io.pigeon.drivers.sysfs;

import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the hwmon and IIO drivers share: at open, the device's folder is found under the sysfs root and its
 * channels listed; a poll reads each channel's file. A file that cannot be read (the kernel's EIO or ETIMEDOUT, as
 * the dht11 driver returns on a failed transfer) or holds no number is one failed read ({@code read_errors}); the
 * other channels of that poll are still read. A folder that is gone is a lost device.
 */
abstract class SysfsSensor extends NamedDevice implements Device.Polled {
    protected final Path sysfsRoot;
    private List<SysfsChannel> channels = List.of();

    SysfsSensor(Settings s, Path sysfsRoot) {
        super(s, DeviceKind.SENSOR);
        this.sysfsRoot = sysfsRoot;
    }

    /** Finds the device's folder and its channels; a DeviceException saying what is missing. */
    abstract List<SysfsChannel> channels() throws DeviceException;

    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        List<SysfsChannel> found = channels();
        if (found.isEmpty()) {
            throw new DeviceException("no readable channel");
        }
        channels = found;
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        String failure = null;
        int read = 0;
        for (SysfsChannel c : channels) {
            try {
                double v = c.read();
                ctx.reading(c.reading(), Value.number(Value.round(v, 6), c.unit()));
                read++;
            } catch (IOException e) {
                if (!java.nio.file.Files.exists(c.file().getParent())) {
                    throw new DeviceException(c.file().getParent() + " is gone");
                }
                failure = c.file().getFileName() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
            }
        }
        if (read == 0 && failure != null) {
            ctx.count("read_errors");
            throw new DeviceException(failure);
        }
        if (failure != null) {
            ctx.count("read_errors"); // the others were read: the device answers
        }
    }

    @Override
    public void close() {
        channels = List.of();
    }
}
