package io.pigeon.drivers.sim;

import java.util.function.UnaryOperator;

/**
 * A simulated MCP3008 (datasheet figure 6-1): after the start bit, SGL/DIFF and D2-D0 select the input; the
 * chip clocks out a null bit and the 10-bit code of that input (or pair) against {@code vref}.
 */
public final class Mcp3008Model implements UnaryOperator<byte[]> {
    private final double vref;
    private final double[] volts = new double[8];
    private int transfers;

    public Mcp3008Model(double vref) {
        this.vref = vref;
    }

    public synchronized void set(int channel, double v) {
        volts[channel] = v;
    }

    public synchronized int transfers() {
        return transfers;
    }

    @Override
    public synchronized byte[] apply(byte[] in) {
        transfers++;
        byte[] out = new byte[in.length];
        if (in.length < 3 || (in[0] & 0x01) == 0) {
            return out;
        }
        boolean single = (in[1] & 0x80) != 0;
        int ch = (in[1] >> 4) & 0x07;
        // Differential pairs (table 5-2): CH0-CH1, CH1-CH0, CH2-CH3, ... selected by D2-D0.
        double v = single ? volts[ch] : volts[ch] - volts[ch ^ 1];
        int code = (int) Math.max(0, Math.min(1023, Math.floor(v / vref * 1024)));
        out[1] = (byte) (code >> 8);
        out[2] = (byte) code;
        return out;
    }
}
