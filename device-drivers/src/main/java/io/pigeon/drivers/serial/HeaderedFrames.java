package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;

/**
 * Fixed-length frames that start with a two-byte header (the SDS011's {@code AA C0}, the MH-Z19's {@code FF 86}):
 * bytes before a header are dropped and counted ({@code garbage_bytes}); a frame's bytes are gathered until it is
 * whole. Thread: the serial reader's, under the driver's monitor, as every serial parser.
 */
final class HeaderedFrames {
    private final byte first;
    private final byte second;
    private final byte[] frame;
    private int have;

    HeaderedFrames(int first, int second, int length) {
        this.first = (byte) first;
        this.second = (byte) second;
        this.frame = new byte[length];
    }

    void reset() {
        have = 0;
    }

    /** Takes one byte; true when it completed a frame, which {@link #frame} holds until the next byte. */
    boolean add(byte b, DeviceContext ctx) {
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

    byte[] frame() {
        return frame;
    }
}
