package io.pigeon.drivers.sim;

/**
 * A simulated LM75: pointer 0 is the temperature register, two bytes, two's complement left-justified with
 * 11 significant bits (0.125 °C, as the LM75B; a 9-bit reader keeps the top 9).
 */
public final class Lm75Model implements WordRegisterModel {
    private volatile double temperature = 21.5;

    public void set(double celsius) {
        this.temperature = celsius;
    }

    /** The register's 16 bits for a temperature, as the chip would hold it. */
    public static int register(double celsius) {
        return ((int) Math.round(celsius * 8) << 5) & 0xFFFF;
    }

    /** Pointer 0 the temperature; 1 the configuration (0); 2 T_hyst and 3 T_os at their power-up 75 and 80 °C. */
    @Override
    public byte[] readBlock(int register, int length) {
        int r = switch (register) {
            case 0 -> register(temperature);
            case 2 -> 0x4B00;
            case 3 -> 0x5000;
            default -> 0;
        };
        byte[] out = new byte[length];
        if (length >= 1) {
            out[0] = (byte) (register == 1 ? 0 : r >> 8);
        }
        if (length >= 2) {
            out[1] = (byte) r;
        }
        return out;
    }
}
