package io.pigeon.drivers.sim;

/**
 * A simulated I2C device as a register map: what {@link SimulatedI2cProvider} answers with. Throwing
 * {@link java.io.UncheckedIOException} models a device that stops answering (the kernel's "Remote I/O error").
 */
public interface I2cModel {
    int readRegister(int register);

    void writeRegister(int register, int value);

    /** A bare command byte (no register), as the BH1750 takes them. */
    default void command(int value) {
        writeRegister(-1, value);
    }

    /** A bare read (no register). */
    default int read() {
        return readRegister(-1);
    }
}
