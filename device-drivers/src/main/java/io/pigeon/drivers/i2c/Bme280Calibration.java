package io.pigeon.drivers.i2c;

/**
 * The BME280's factory trimming and the Bosch datasheet's integer compensation (BME280 datasheet §4.2.3:
 * 32-bit temperature and humidity, 64-bit pressure), kept apart from I2C so it can be checked against the
 * datasheet's worked example.
 */
public record Bme280Calibration(int t1, int t2, int t3, int p1, int p2, int p3, int p4, int p5, int p6, int p7,
                                int p8, int p9, int h1, int h2, int h3, int h4, int h5, int h6) {

    /** Parses the 26 bytes at 0x88..0xA1 and the 7 bytes at 0xE1..0xE7. */
    public static Bme280Calibration parse(byte[] tp, byte[] h) {
        return new Bme280Calibration(
            u16(tp, 0), s16(tp, 2), s16(tp, 4),
            u16(tp, 6), s16(tp, 8), s16(tp, 10), s16(tp, 12), s16(tp, 14), s16(tp, 16), s16(tp, 18),
            s16(tp, 20), s16(tp, 22),
            tp[25] & 0xFF,
            s16(h, 0),
            h[2] & 0xFF,
            (h[3] << 4) | (h[4] & 0x0F),          // dig_H4: 0xE4 (signed) [11:4], 0xE5 [3:0]
            (h[5] << 4) | ((h[4] & 0xFF) >> 4),   // dig_H5: 0xE6 (signed) [11:4], 0xE5 [7:4]
            h[6]);
    }

    /** The inverse of {@link #parse}: the register bytes a device with this calibration holds. */
    public byte[][] toRegisters() {
        byte[] tp = new byte[26];
        put16(tp, 0, t1);
        put16(tp, 2, t2);
        put16(tp, 4, t3);
        int[] p = {p1, p2, p3, p4, p5, p6, p7, p8, p9};
        for (int i = 0; i < p.length; i++) {
            put16(tp, 6 + 2 * i, p[i]);
        }
        tp[25] = (byte) h1;
        byte[] h = new byte[7];
        put16(h, 0, h2);
        h[2] = (byte) h3;
        h[3] = (byte) (h4 >> 4);
        h[4] = (byte) ((h4 & 0x0F) | ((h5 & 0x0F) << 4));
        h[5] = (byte) (h5 >> 4);
        h[6] = (byte) h6;
        return new byte[][] {tp, h};
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int s16(byte[] b, int i) {
        return (short) u16(b, i);
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >> 8);
    }

    /** t_fine, the temperature in the form the other two formulas need. */
    public int tFine(int adcT) {
        int var1 = (((adcT >> 3) - (t1 << 1)) * t2) >> 11;
        int var2 = (((((adcT >> 4) - t1) * ((adcT >> 4) - t1)) >> 12) * t3) >> 14;
        return var1 + var2;
    }

    /** Temperature in 0.01 °C. */
    public int temperature(int tFine) {
        return (tFine * 5 + 128) >> 8;
    }

    /** Pressure in Pa as Q24.8 (divide by 256), or 0 if the calibration would divide by zero. */
    public long pressure(int adcP, int tFine) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * p6;
        var2 = var2 + ((var1 * p5) << 17);
        var2 = var2 + ((long) p4 << 35);
        var1 = ((var1 * var1 * p3) >> 8) + ((var1 * p2) << 12);
        var1 = ((1L << 47) + var1) * p1 >> 33;
        if (var1 == 0) {
            return 0;
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = ((long) p9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = ((long) p8 * p) >> 19;
        return ((p + var1 + var2) >> 8) + ((long) p7 << 4);
    }

    /** Relative humidity in %RH as Q22.10 (divide by 1024). */
    public int humidity(int adcH, int tFine) {
        int v = tFine - 76800;
        v = ((((adcH << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15)
            * (((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14);
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4);
        v = Math.max(0, Math.min(419430400, v));
        return v >> 12;
    }
}
