package io.pigeon.drivers.serial;

import io.pigeon.drivers.DeviceContext;
import io.pigeon.drivers.Settings;

/**
 * A serial device that sends fixed-length frames starting with a two-byte header (the PMS5003's {@code 42 4D}, the
 * SDS011's {@code AA C0}, the MH-Z19's {@code FF 86}): bytes before a header are dropped and counted
 * ({@code garbage_bytes}); a frame's bytes are gathered until it is whole; a whole frame that fails its driver's
 * check is one failed read ({@code checksum_errors}), any other goes to {@link #frame}. A frame that fails, or
 * whose first bytes cannot start a frame ({@link #plausible}, {@code frame_errors}), is searched for the next
 * header, so that a byte lost on the line costs one frame and not the one after it too. Thread: the serial
 * reader's, under the driver's monitor, as every serial parser.
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

    /**
     * Whether the first {@code have} bytes of a frame (the header and more) can begin a valid one: a length field,
     * say. Asked as each byte arrives; by default any can.
     */
    protected boolean plausible(byte[] frame, int have) {
        return true;
    }

    @Override
    protected void reset() {
        have = 0;
    }

    @Override
    protected void received(byte[] data, int length, DeviceContext ctx) {
        for (int i = 0; i < length; i++) {
            add(data[i], ctx);
        }
    }

    private void add(byte b, DeviceContext ctx) {
        if ((have == 0 && b != first) || (have == 1 && b != second)) {
            ctx.count("garbage_bytes");
            have = b == first ? 1 : 0; // a stray header byte may start the next frame
            frame[0] = b;
            return;
        }
        frame[have++] = b;
        if (!plausible(frame, have)) {
            ctx.failed("frame_errors", "frame errors");
            rescan();
        } else if (have == frame.length) {
            if (intact(frame)) {
                have = 0;
                frame(frame, ctx);
            } else {
                ctx.failed("checksum_errors", "checksum errors");
                rescan();
            }
        }
    }

    /**
     * Keeps what follows the next header inside the bytes taken for a failed frame (a header cut short at the
     * end counts), and drops the rest: part of a frame already counted as failed, not garbage.
     */
    private void rescan() {
        while (true) {
            int p = 1;
            while (p < have && !(frame[p] == first && (p + 1 == have || frame[p + 1] == second))) {
                p++;
            }
            System.arraycopy(frame, p, frame, 0, have - p);
            have -= p;
            if (plausible(frame, have)) {
                return;
            }
        }
    }
}
