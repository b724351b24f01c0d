package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * Plantower PMS5003 particulate sensor (9600 baud): 32-byte frames starting 0x42 0x4D, a length of 28,
 * thirteen big-endian words and a 16-bit sum of the first 30 bytes. Publishes PM1.0, PM2.5 and PM10 in
 * µg/m³ (the "atmospheric environment" values). A wrong length is a frame error, found at the fourth byte.
 */
public final class Pms5003 extends HeaderedFrameDevice {
    public static final int FRAME = 32;
    private static final int LENGTH = FRAME - 4;

    public Pms5003(Settings s) {
        super(s, 9600, 0x42, 0x4D, FRAME);
    }

    @Override
    protected boolean plausible(byte[] frame, int have) {
        return have < 4 || word(frame, 2) == LENGTH;
    }

    @Override
    protected boolean intact(byte[] frame) {
        return checksum(frame) == word(frame, 30);
    }

    @Override
    protected void frame(byte[] frame, DeviceContext ctx) {
        ctx.reading("pm1_0", Value.number(word(frame, 10), "µg/m³"));
        ctx.reading("pm2_5", Value.number(word(frame, 12), "µg/m³"));
        ctx.reading("pm10", Value.number(word(frame, 14), "µg/m³"));
    }

    private static int word(byte[] frame, int i) {
        return (frame[i] & 0xFF) << 8 | (frame[i + 1] & 0xFF);
    }

    /** The 16-bit sum of bytes 0..29. */
    public static int checksum(byte[] frame) {
        int sum = 0;
        for (int i = 0; i < 30; i++) {
            sum += frame[i] & 0xFF;
        }
        return sum & 0xFFFF;
    }

    /** A valid frame with these atmospheric values, as the sensor sends it (the CF=1 words equal them). */
    public static byte[] encode(int pm1, int pm25, int pm10) {
        byte[] f = new byte[FRAME];
        f[0] = 0x42;
        f[1] = 0x4D;
        f[3] = LENGTH;
        int[] words = {pm1, pm25, pm10, pm1, pm25, pm10, 0, 0, 0, 0, 0, 0, 0};
        for (int i = 0; i < words.length; i++) {
            f[4 + 2 * i] = (byte) (words[i] >> 8);
            f[5 + 2 * i] = (byte) words[i];
        }
        int sum = checksum(f);
        f[30] = (byte) (sum >> 8);
        f[31] = (byte) sum;
        return f;
    }
}
