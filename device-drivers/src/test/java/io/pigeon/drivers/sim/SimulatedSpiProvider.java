package io.pigeon.drivers.sim;

import com.pi4j.io.spi.Spi;
import com.pi4j.io.spi.SpiConfig;
import com.pi4j.plugin.mock.provider.spi.MockSpi;
import com.pi4j.plugin.mock.provider.spi.MockSpiProviderImpl;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Pi4J's mock SPI provider (id mock-spi), answering each full-duplex transfer with what a registered chip model
 * would clock out: the simulator's and the tests' SPI devices. Without a model on a bus and chip select, a transfer
 * reads zeros, as an empty bus with pull-downs does.
 */
public final class SimulatedSpiProvider extends MockSpiProviderImpl {
    private static final Map<Long, UnaryOperator<byte[]>> MODELS = new ConcurrentHashMap<>();

    /** A chip at {@code bus}.{@code chipSelect}: given what is clocked in, what it clocks out (same length). */
    public static void register(int bus, int chipSelect, UnaryOperator<byte[]> model) {
        MODELS.put(key(bus, chipSelect), model);
    }

    public static void unregister(int bus, int chipSelect) {
        MODELS.remove(key(bus, chipSelect));
    }

    private static long key(int bus, int chipSelect) {
        return (long) bus << 8 | chipSelect;
    }

    @Override
    public Spi create(SpiConfig config) {
        Spi spi = new ModelSpi(this, config);
        this.context.registry().add(spi);
        return spi;
    }

    private static final class ModelSpi extends MockSpi {
        private final long key;

        ModelSpi(SimulatedSpiProvider provider, SpiConfig config) {
            super(provider, config);
            this.key = key(config.bus().getBus(), config.channel());
        }

        @Override
        public int transfer(byte[] write, int writeOffset, byte[] read, int readOffset, int length) {
            byte[] in = java.util.Arrays.copyOfRange(write, writeOffset, writeOffset + length);
            UnaryOperator<byte[]> model = MODELS.get(key);
            byte[] out = model == null ? new byte[length] : model.apply(in);
            System.arraycopy(out, 0, read, readOffset, length);
            return length;
        }
    }
}
