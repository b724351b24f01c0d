package io.pigeon.drivers.sim;

import io.pigeon.drivers.Pi4jPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One test's board: Pi4J's mock platform with the simulated I2C and SPI buses, and the chip models placed on
 * them through it. The models sit in the providers' process-wide maps, so {@link #close} takes away every one it
 * placed: a test need not list the addresses it used, and none is left for the next test.
 */
public final class SimulatedBoard implements AutoCloseable {
    private final Pi4jPlatform platform = Pi4jPlatform.simulated(new SimulatedI2cProvider(), new SimulatedSpiProvider());
    private final List<Runnable> removals = new ArrayList<>();

    public Pi4jPlatform platform() {
        return platform;
    }

    /** Places an I2C chip model at {@code address} on {@code bus}. */
    public void i2c(int bus, int address, I2cModel model) {
        SimulatedI2cProvider.register(bus, address, model);
        removals.add(() -> SimulatedI2cProvider.unregister(bus, address));
    }

    /** Places an SPI chip model at chip select {@code chipSelect} of {@code bus}. */
    public void spi(int bus, int chipSelect, UnaryOperator<byte[]> model) {
        SimulatedSpiProvider.register(bus, chipSelect, model);
        removals.add(() -> SimulatedSpiProvider.unregister(bus, chipSelect));
    }

    @Override
    public void close() {
        removals.forEach(Runnable::run);
        platform.close();
    }
}
