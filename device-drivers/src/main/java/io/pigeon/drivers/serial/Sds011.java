package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;
import io.pigeon.drivers.Value;

/**
 * Nova Fitness SDS011 particulate sensor (9600 baud), in its factory active mode: a 10-byte frame a second,
 * {@code AA C0 PM25L PM25H PM10L PM10H ID1 ID2 CS AB} with CS the low byte of the sum of the six data bytes
 * (datasheet 1.3). Publishes PM2.5 and PM10 in µg/m³ (0.1 steps). A bad checksum or tail is one failed frame; after
 * garbage it resynchronises on the next 0xAA 0xC0.
 */
public final class Sds011 extends HeaderedFrameDevice {
    public static final int FRAME = 10;

    public Sds011(Settings s) {
        super(s, 9600, 0xAA, 0xC0, FRAME);
    }

    @Override
    protected boolean intact(byte[] frame) {
        return frame[9] == (byte) 0xAB && checksum(frame) == (frame[8] & 0xFF);
    }

    @Override
    protected void frame(byte[] frame, DeviceContext ctx) {
        ctx.reading("pm2_5", Value.number(word(frame, 2) / 10.0, "µg/m³"));
        ctx.reading("pm10", Value.number(word(frame, 4) / 10.0, "µg/m³"));
    }

    private static int word(byte[] frame, int low) {
        return (frame[low] & 0xFF) | ((frame[low + 1] & 0xFF) << 8);
    }

    static int checksum(byte[] f) {
        int sum = 0;
        for (int i = 2; i < 8; i++) {
            sum += f[i] & 0xFF;
        }
        return sum & 0xFF;
    }

    /** A frame as the sensor sends it, for tests and the simulator. */
    public static byte[] encode(double pm25, double pm10) {
        int a = (int) Math.round(pm25 * 10);
        int b = (int) Math.round(pm10 * 10);
        byte[] f = {(byte) 0xAA, (byte) 0xC0, (byte) a, (byte) (a >> 8), (byte) b, (byte) (b >> 8), 0x12, 0x34, 0,
            (byte) 0xAB};
        f[8] = (byte) checksum(f);
        return f;
    }
}
