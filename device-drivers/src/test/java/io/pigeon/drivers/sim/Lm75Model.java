package io.pigeon.drivers.sim;

/**
 * A simulated LM75: pointer 0 is the temperature register, two bytes, two's complement left-justified with
 * 11 significant bits (0.125 °C, as the LM75B; a 9-bit reader keeps the top 9).
 */
public final class Lm75Model implements I2cModel {
    private volatile double temperature = 21.5;

    public void set(double celsius) {
        this.temperature = celsius;
    }

    /** The register's 16 bits for a temperature, as the chip would hold it. */
    public static int register(double celsius) {
        return ((int) Math.round(celsius * 8) << 5) & 0xFFFF;
    }

    @Override
    public byte[] readBlock(int register, int length) {
        int r = register(temperature);
        byte[] out = new byte[length];
        if (register == 0 && length >= 1) {
            out[0] = (byte) (r >> 8);
        }
        if (register == 0 && length >= 2) {
            out[1] = (byte) r;
        }
        return out;
    }

    @Override
    public int readRegister(int register) {
        return readBlock(register, 1)[0] & 0xFF;
    }

    @Override
    public void writeRegister(int register, int value) {
        // configuration and limits: nothing the driver writes
    }
}
