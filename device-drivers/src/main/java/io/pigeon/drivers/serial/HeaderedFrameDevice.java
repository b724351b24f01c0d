package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;

/**
 * A serial device that sends fixed-length frames starting with a two-byte header (the SDS011's {@code AA C0}, the
 * MH-Z19's {@code FF 86}): bytes before a header are dropped and counted ({@code garbage_bytes}); a frame's bytes
 * are gathered until it is whole; a whole frame that fails its driver's check is one failed read
 * ({@code checksum_errors}), any other goes to {@link #frame}. Thread: the serial reader's, under the driver's
 * monitor, as every serial parser.
 */
abstract class HeaderedFrameDevice extends SerialDevice {
    private final byte first;
    private final byte second;
    private final byte[] frame;
    private int have;

    protected HeaderedFrameDevice(Settings s, int defaultBaud, int first, int second, int length) {
        super(s, defaultBaud);
        this.first = (byte) first;
        this.second = (byte) second;
        this.frame = new byte[length];
    }

    /** Whether a whole frame is intact (its checksum, its tail). */
    protected abstract boolean intact(byte[] frame);

    /** An intact frame; the array is only valid during the call. */
    protected abstract void frame(byte[] frame, DeviceContext ctx);

    @Override
    protected void reset() {
        have = 0;
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        for (int i = 0; i < length; i++) {
            if (!add(data[i], ctx)) {
                continue;
            }
            if (intact(frame)) {
                frame(frame, ctx);
            } else {
                ctx.failed("checksum_errors", "checksum errors");
            }
        }
    }

    /** Takes one byte; true when it completed a frame. */
    private boolean add(byte b, DeviceContext ctx) {
        if ((have == 0 && b != first) || (have == 1 && b != second)) {
            ctx.count("garbage_bytes");
            have = b == first ? 1 : 0; // a stray header byte may start the next frame
            frame[0] = b;
            return false;
        }
        frame[have++] = b;
        if (have < frame.length) {
            return false;
        }
        have = 0;
        return true;
    }
}
