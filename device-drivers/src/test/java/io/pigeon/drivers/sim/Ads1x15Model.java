package io.pigeon.drivers.sim;

/**
 * A simulated ADS1115 or ADS1015: four inputs with voltages, the config register (pointer 1, power-up 0x8583)
 * and the conversion register (pointer 0) holding the last single-shot conversion of the multiplexer's input at
 * the programmed full-scale range, clipped to it (datasheet 8.3.3, table 3).
 */
public final class Ads1x15Model implements WordRegisterModel {
    private static final double[] RANGES = {6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256};
    private final boolean twelveBits;
    private final double[] volts = new double[4];
    private int config = 0x8583;
    private int conversion;
    private int conversions;

    public Ads1x15Model(boolean twelveBits) {
        this.twelveBits = twelveBits;
    }

    public synchronized void set(int input, double voltsAgainstGround) {
        volts[input] = voltsAgainstGround;
    }

    public synchronized int conversions() {
        return conversions;
    }

    @Override
    public synchronized void writeBlock(int register, byte[] data) {
        if (register == 1 && data.length == 2) {
            config = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
            if ((config & 0x8000) != 0) {
                convert();
            }
        }
    }

    private void convert() {
        conversions++;
        int mux = (config >> 12) & 0x7;
        double v = switch (mux) {
            case 0 -> volts[0] - volts[1];
            case 1 -> volts[0] - volts[3];
            case 2 -> volts[1] - volts[3];
            case 3 -> volts[2] - volts[3];
            default -> volts[mux - 4];
        };
        double fs = RANGES[(config >> 9) & 0x7];
        int max = twelveBits ? 2047 : 32767;
        int code = (int) Math.max(-max - 1, Math.min(max, Math.floor(v / fs * (max + 1))));
        conversion = (twelveBits ? code << 4 : code) & 0xFFFF;
    }

    @Override
    public synchronized byte[] readBlock(int register, int length) {
        int word = register == 0 ? conversion : register == 1 ? config | 0x8000 : 0; // OS reads 1: not converting
        return new byte[] {(byte) (word >> 8), (byte) word};
    }
}
