package io.pigeon.gateway.mqtt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads whole packets from a stream into one reusable buffer. The buffer grows only as bytes actually
 * arrive (doubling, up to the maximum packet size), so a forged remaining length cannot make it allocate.
 * A read timeout leaves the reader's state intact: call {@link #read} again to continue.
 */
final class FrameReader {
    private final MqttDecoder decoder;
    private final int maxPacketSize;
    private byte[] buf;
    private int start;
    private int end;

    FrameReader(MqttDecoder decoder, int maxPacketSize, int initialCapacity) {
        this.decoder = decoder;
        this.maxPacketSize = maxPacketSize;
        this.buf = new byte[Math.max(16, initialCapacity)];
    }

    void reset() {
        start = 0;
        end = 0;
    }

    /** Reads the next packet into {@code out}; throws EOFException at the end of the stream. */
    void read(InputStream in, Packet out) throws IOException {
        while (true) {
            int frame = decoder.frameLength(buf, start, end - start);
            if (frame > 0 && end - start >= frame) {
                decoder.decode(buf, start, frame, out);
                start += frame;
                if (start == end) {
                    start = 0;
                    end = 0;
                }
                return;
            }
            makeRoom();
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                throw end > start
                    ? new MqttProtocolException("connection closed inside a packet (" + (end - start) + " bytes read)")
                    : new EOFException("connection closed by the broker");
            }
            end += n;
        }
    }

    private void makeRoom() {
        if (end < buf.length) {
            return;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
            return;
        }
        // Full of one incomplete packet that frameLength has already allowed: grow by doubling.
        buf = Arrays.copyOf(buf, (int) Math.min(maxPacketSize, buf.length * 2L));
    }
}
