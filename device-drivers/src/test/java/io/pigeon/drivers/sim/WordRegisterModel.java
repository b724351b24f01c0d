package io.pigeon.drivers.sim;

/**
 * A chip of 16-bit registers read whole through a pointer (LM75, ADS1x15, INA219): a single-byte read is the
 * register's high byte; single-byte writes are not how the drivers write these chips, and are ignored.
 */
public interface WordRegisterModel extends I2cModel {
    @Override
    byte[] readBlock(int register, int length);

    @Override
    default int readRegister(int register) {
        return readBlock(register, 1)[0] & 0xFF;
    }

    @Override
    default void writeRegister(int register, int value) {
        // see the interface's comment
    }
}
