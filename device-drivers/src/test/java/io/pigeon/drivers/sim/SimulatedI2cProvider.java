package io.pigeon.drivers.sim;

import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CConfig;
import com.pi4j.plugin.mock.provider.i2c.MockI2C;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProviderImpl;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pi4J's mock I2C provider, except that a device answers from an {@link I2cModel} registered for its bus
 * and address: Pi4J's own mock treats each register as a queue, which a register-map sensor cannot use.
 * Without a model, every access fails as an absent device does.
 */
public final class SimulatedI2cProvider extends MockI2CProviderImpl {
    private static final Map<Long, I2cModel> MODELS = new ConcurrentHashMap<>();

    public static void register(int bus, int address, I2cModel model) {
        MODELS.put(key(bus, address), model);
    }

    public static void unregister(int bus, int address) {
        MODELS.remove(key(bus, address));
    }

    private static long key(int bus, int address) {
        return (long) bus << 16 | address;
    }

    @Override
    public I2C create(I2CConfig config) {
        I2C i2c = new ModelI2C(this, config);
        this.context.registry().add(i2c);
        return i2c;
    }

    private static final class ModelI2C extends MockI2C {
        private final int bus;
        private final int address;

        ModelI2C(SimulatedI2cProvider provider, I2CConfig config) {
            super(provider, config);
            this.bus = config.bus();
            this.address = config.device();
        }

        private I2cModel model() {
            I2cModel m = MODELS.get(key(bus, address));
            if (m == null) {
                throw new com.pi4j.io.exception.IOException("Remote I/O error: no device at bus " + bus
                    + " address 0x" + Integer.toHexString(address));
            }
            return m;
        }

        private static RuntimeException io(UncheckedIOException e) {
            return new com.pi4j.io.exception.IOException(e.getCause().getMessage());
        }

        @Override
        public int readRegister(int register) {
            try {
                return model().readRegister(register) & 0xFF;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int readRegister(int register, byte[] buffer, int offset, int length) {
            try {
                System.arraycopy(model().readBlock(register, length), 0, buffer, offset, length);
                return length;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int writeRegister(int register, byte b) {
            try {
                model().writeRegister(register, b & 0xFF);
                return 1;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int write(byte b) {
            try {
                model().command(b & 0xFF);
                return 1;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int writeRegister(int register, byte[] data, int offset, int length) {
            try {
                model().writeBlock(register, java.util.Arrays.copyOfRange(data, offset, offset + length));
                return length;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int write(byte[] data, int offset, int length) {
            try {
                model().write(java.util.Arrays.copyOfRange(data, offset, offset + length));
                return length;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            try {
                I2cModel m = model();
                for (int i = 0; i < length; i++) {
                    buffer[offset + i] = (byte) m.read();
                }
                return length;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }

        @Override
        public int read() {
            try {
                return model().read() & 0xFF;
            } catch (UncheckedIOException e) {
                throw io(e);
            }
        }
    }
}
