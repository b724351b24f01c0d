package io.pigeon.drivers.i2c;

import com.pi4j.io.i2c.I2C;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.NamedDevice;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import org.jspecify.annotations.Nullable;

/**
 * What the I2C sensor drivers share: a chip at {@code bus}/{@code address} on Pi4J, opened by the subclass's
 * {@code open} and released by {@link #close}. Confined to the device's thread, as every polled driver is.
 */
abstract class I2cSensor extends NamedDevice implements Device.Polled {
    protected final Pi4jPlatform platform;
    protected final int bus;
    protected final int address;
    protected @Nullable I2C i2c;

    I2cSensor(Settings s, Pi4jPlatform platform, int defaultAddress, int maxAddress) {
        super(s, DeviceKind.SENSOR);
        this.platform = platform;
        this.bus = s.integer("bus", 1, 0, 31);
        this.address = s.integer("address", defaultAddress, defaultAddress, maxAddress);
    }

    /** Opens the chip on the bus (Pi4J's I2C handle for this device). */
    protected void openBus() {
        i2c = platform.i2c(name, bus, address);
    }

    /** Opens the bus; a chip that needs set-up at open overrides this. */
    @Override
    public void open(DeviceContext ctx) throws DeviceException {
        try {
            openBus();
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("I2C open failed: " + message(e), e);
        }
    }

    /** Waits for the chip (a conversion, a reset); an interrupt ends the wait as a failed access. */
    static void pause(long millis) throws DeviceException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException("interrupted");
        }
    }

    /** Pi4J's message, or the exception's name when it has none. */
    static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        if (i2c != null) {
            i2c = null;
            platform.release(name);
        }
    }
}
