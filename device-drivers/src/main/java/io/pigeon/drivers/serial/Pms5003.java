package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * Plantower PMS5003 particulate sensor (9600 baud): 32-byte frames starting 0x42 0x4D, a length of 28,
 * thirteen big-endian words and a 16-bit sum of the first 30 bytes. Publishes PM1.0, PM2.5 and PM10 in
 * µg/m³ (the "atmospheric environment" values). After garbage or a bad checksum it resynchronises on the
 * next 0x42 0x4D.
 */
public final class Pms5003 extends SerialDevice {
    public static final int FRAME = 32;
    private final byte[] frame = new byte[FRAME];
    private int have;

    public Pms5003(Settings s) {
        super(s, 9600);
    }

    @Override
    protected void reset() {
        have = 0;
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        for (int i = 0; i < length; i++) {
            accept(data[i], ctx);
        }
    }

    private void accept(byte b, DeviceContext ctx) {
        if (have == 0 && b != 0x42) {
            ctx.count("garbage_bytes");
            return;
        }
        if (have == 1 && b != 0x4D) {
            ctx.count("garbage_bytes");
            have = b == 0x42 ? 1 : 0;
            return;
        }
        frame[have++] = b;
        if (have == 4 && word(2) != 28) {
            ctx.failed("frame_errors", "frame errors");
            resync(1);
            return;
        }
        if (have < FRAME) {
            return;
        }
        if (checksum(frame) != word(30)) {
            ctx.failed("checksum_errors", "checksum errors");
            resync(1);
            return;
        }
        have = 0;
        ctx.reading("pm1_0", Value.number(word(10), "µg/m³"));
        ctx.reading("pm2_5", Value.number(word(12), "µg/m³"));
        ctx.reading("pm10", Value.number(word(14), "µg/m³"));
    }

    /** Looks for the next frame start inside what was taken for a frame, from {@code from} on. */
    private void resync(int from) {
        byte[] rest = java.util.Arrays.copyOfRange(frame, from, have);
        have = 0;
        for (byte r : rest) {
            if (have == 0 && r != 0x42) {
                continue;
            }
            if (have == 1 && r != 0x4D) {
                have = r == 0x42 ? 1 : 0;
                continue;
            }
            frame[have++] = r;
        }
    }

    private int word(int i) {
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
        f[3] = 28;
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
