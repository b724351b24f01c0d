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

    /** Several bytes written in one transaction (a 16-bit command, a command with arguments). */
    default void write(byte[] data) {
        for (byte b : data) {
            command(b & 0xFF);
        }
    }

    /** Several bytes written to {@code register} on (a 16-bit register): auto-incrementing unless overridden. */
    default void writeBlock(int register, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            writeRegister(register + i, data[i] & 0xFF);
        }
    }

    /** {@code length} bytes read from {@code register} on: auto-incrementing registers unless overridden. */
    default byte[] readBlock(int register, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) readRegister(register + i);
        }
        return out;
    }
}
