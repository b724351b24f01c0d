package io.pigeon.drivers.sim;

/**
 * A chip without a register pointer (BH1750, SHT3x/SHT4x, AHT20, PCF8574): whatever register a transfer names,
 * a read is a bare read and a write is a command.
 */
public interface CommandModel extends I2cModel {
    @Override
    int read();

    @Override
    void command(int value);

    @Override
    default int readRegister(int register) {
        return read();
    }

    @Override
    default void writeRegister(int register, int value) {
        command(value);
    }
}
