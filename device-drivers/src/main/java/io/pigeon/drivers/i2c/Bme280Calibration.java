package io.pigeon.drivers.i2c;

/**
 * The BME280's factory trimming and the integer compensation (BME280 datasheet §4.2.3: 32-bit temperature
 * and humidity, 64-bit pressure) in the form of Bosch's reference driver, kept apart from I2C so it can be
 * checked against that driver to the last bit (test resource {@code bme280-bosch-vectors.txt}). Results are clamped to the
 * sensor's range as Bosch's driver does: -40..85 °C, 300..1100 hPa, 0..100 %RH.
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
        // Divisions (truncating, as in C) where the datasheet shifts: Bosch's reference driver does so, and
        // the results then agree with it to the last bit.
        int var1 = ((adcT / 8) - (t1 * 2)) * t2 / 2048;
        int var2 = (adcT / 16) - t1;
        var2 = var2 * var2 / 4096 * t3 / 16384;
        return var1 + var2;
    }

    static final int T_MIN = -4000;
    static final int T_MAX = 8500;
    static final long P_MIN = 30_000L * 256;
    static final long P_MAX = 110_000L * 256;
    static final int H_MAX = 100 * 1024;

    /** Temperature in 0.01 °C, within -40..85 °C. */
    public int temperature(int tFine) {
        return Math.max(T_MIN, Math.min(T_MAX, (tFine * 5 + 128) / 256));
    }

    /** Pressure in Pa as Q24.8 (divide by 256), within 300..1100 hPa (the minimum if the calibration would divide by zero). */
    public long pressure(int adcP, int tFine) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * p6;
        var2 = var2 + var1 * p5 * 131072;
        var2 = var2 + (long) p4 * 34359738368L;
        var1 = var1 * var1 * p3 / 256 + var1 * p2 * 4096;
        var1 = (140737488355328L + var1) * p1 / 8589934592L;
        if (var1 == 0) {
            return P_MIN;
        }
        long p = 1048576L - adcP;
        p = ((p * 2147483648L) - var2) * 3125 / var1;
        var1 = (long) p9 * (p / 8192) * (p / 8192) / 33554432;
        var2 = (long) p8 * p / 524288;
        long q248 = (p + var1 + var2) / 256 + (long) p7 * 16;
        return Math.max(P_MIN, Math.min(P_MAX, q248));
    }

    /** Relative humidity in %RH as Q22.10 (divide by 1024), within 0..100 %. */
    public int humidity(int adcH, int tFine) {
        int var1 = tFine - 76800;
        int var5 = ((adcH * 16384) - (h4 * 1048576) - (h5 * var1) + 16384) / 32768;
        int var2 = var1 * h6 / 1024;
        int var3 = var1 * h3 / 2048;
        int var4 = var2 * (var3 + 32768) / 1024 + 2097152;
        var2 = (var4 * h2 + 8192) / 16384;
        var3 = var5 * var2;
        var4 = (var3 / 32768) * (var3 / 32768) / 128;
        var5 = var3 - var4 * h1 / 16;
        var5 = Math.max(0, Math.min(419430400, var5));
        return Math.min(H_MAX, var5 / 4096);
    }
}
