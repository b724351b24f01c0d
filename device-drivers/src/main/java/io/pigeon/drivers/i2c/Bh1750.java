package io.pigeon.drivers.i2c;

import com.pi4j.io.i2c.I2C;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceKind;
import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * ROHM BH1750 ambient light sensor on I2C (0x23, or 0x5C with ADDR high), in continuous high-resolution
 * mode: each poll reads the latest conversion (lux = count / 1.2, datasheet p. 10).
 */
public final class Bh1750 implements Device.Polled {
    static final int POWER_ON = 0x01;
    static final int CONTINUOUS_HIGH_RES = 0x10;

    private final String name;
    private final Pi4jPlatform platform;
    private final int bus;
    private final int address;
    private I2C i2c;

    public Bh1750(Settings s, Pi4jPlatform platform) {
        this.name = s.device();
        this.platform = platform;
        this.bus = s.integer("bus", 1, 0, 31);
        this.address = s.integer("address", 0x23, 0x23, 0x5C);
        if (address != 0x23 && address != 0x5C) {
            throw s.error("address", "a BH1750 answers at 0x23 or 0x5C");
        }
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
        try {
            i2c = platform.i2c(name, bus, address);
            i2c.write((byte) POWER_ON);
            i2c.write((byte) CONTINUOUS_HIGH_RES);
        } catch (RuntimeException e) {
            close();
            throw new DeviceException("I2C write failed: " + Bme280.message(e), e);
        }
    }

    @Override
    public void poll(DeviceContext ctx) throws DeviceException {
        byte[] b = new byte[2];
        try {
            i2c.read(b, 0, 2);
        } catch (RuntimeException e) {
            throw new DeviceException("I2C read failed: " + Bme280.message(e), e);
        }
        int count = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
        ctx.reading("illuminance", Value.number(Math.round(count / 1.2 * 10) / 10.0, "lx"));
    }

    @Override
    public void close() {
        if (i2c != null) {
            i2c = null;
            platform.release(name);
        }
    }
}
