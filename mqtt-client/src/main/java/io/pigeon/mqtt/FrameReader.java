package io.pigeon.mqtt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts whole packets out of the bytes that arrive, in one reusable buffer. The buffer grows only as bytes
 * actually arrive (doubling, up to the maximum packet size), so a forged remaining length cannot make it
 * allocate, and it shrinks back to its first size once a large packet has been read.
 *
 * <p>A PUBLISH larger than the maximum is not a protocol error: its fixed and variable headers (topic and
 * packet id, at most {@link #HEADER_MAX} bytes) are read and handed out with {@link Packet#oversizedLength}
 * set, and the payload is skipped as it arrives, never held. Any other oversized packet is an error.
 *
 * <p>Not thread-safe: the connection thread's alone (or a test broker's).
 */
final class FrameReader {
    /** The most a PUBLISH's fixed header, topic and packet id can take: 5 + 2 + 65,535 + 2. */
    static final int HEADER_MAX = 5 + 2 + 65_535 + 2;
    /** Grown up to this size the buffer is kept (no churn for medium messages); beyond it, it shrinks back. */
    static final int KEEP_CAPACITY = 16 * 1024;

    private final MqttDecoder decoder;
    private final int maxPacketSize;
    private final int maxCapacity;
    private final int initialCapacity;
    private byte[] buf;
    private int start;
    private int end;
    /** Bytes of an oversized PUBLISH still to be thrown away as they arrive. */
    private long skip;

    FrameReader(MqttDecoder decoder, int maxPacketSize, int initialCapacity) {
        this.decoder = decoder;
        this.maxPacketSize = maxPacketSize;
        this.maxCapacity = Math.max(maxPacketSize, HEADER_MAX);
        this.initialCapacity = Math.max(16, initialCapacity);
        this.buf = new byte[this.initialCapacity];
    }

    void reset() {
        start = 0;
        end = 0;
        skip = 0;
        shrink();
    }

    /** Bytes held and not yet handed out. */
    int buffered() {
        return end - start;
    }

    /** The buffer's size now (for tests of its bound). */
    int capacity() {
        return buf.length;
    }

    /** How many more bytes {@link #append} can take now. */
    int room() {
        return (int) Math.min(Integer.MAX_VALUE, skip + maxCapacity - buffered());
    }

    /** Takes bytes from {@code src}: first what an oversized packet still owes to the skip, then up to room. */
    void append(ByteBuffer src) {
        if (skip > 0) {
            int n = (int) Math.min(skip, src.remaining());
            src.position(src.position() + n);
            skip -= n;
        }
        int n = Math.min(src.remaining(), maxCapacity - buffered());
        if (n <= 0) {
            return;
        }
        ensure(n);
        src.get(buf, end, n);
        end += n;
    }

    /** Decodes the next whole packet held into {@code out}; false when more bytes are needed. */
    boolean poll(Packet out) throws MqttProtocolException {
        int held = end - start;
        long total = decoder.declaredLength(buf, start, held);
        if (total == 0) {
            return false;
        }
        if (total > maxPacketSize) {
            return oversized(total, out);
        }
        if (held < total) {
            return false;
        }
        decoder.decode(buf, start, (int) total, out);
        consume((int) total);
        return true;
    }

    /** The headers of a PUBLISH too large to hold; the rest is skipped. */
    private boolean oversized(long total, Packet out) throws MqttProtocolException {
        int type = (buf[start] & 0xFF) >>> 4;
        if (type != PacketType.PUBLISH) {
            throw new MqttProtocolException(PacketType.name(type) + " of " + total
                + " bytes is larger than the maximum packet size of " + maxPacketSize);
        }
        int header = 2;
        while ((buf[start + header - 1] & 0x80) != 0) {
            header++;
        }
        int held = end - start;
        if (held < header + 2) {
            return false;
        }
        int topicLength = (buf[start + header] & 0xFF) << 8 | (buf[start + header + 1] & 0xFF);
        int qos = (buf[start] >>> 1) & 3;
        int need = header + 2 + topicLength + (qos > 0 ? 2 : 0);
        if (need > total) {
            throw new MqttProtocolException("PUBLISH is truncated");
        }
        if (held < need) {
            return false;
        }
        decoder.decode(buf, start, need, out);
        out.oversizedLength = (int) Math.min(Integer.MAX_VALUE, total);
        // Throw away the payload bytes already held, and the rest as it arrives.
        long payload = total - need;
        int heldPayload = (int) Math.min(payload, held - need);
        skip = payload - heldPayload;
        consume(need + heldPayload);
        return true;
    }

    /** Blocking: reads the next packet from a stream into {@code out} (for test brokers). */
    void read(InputStream in, Packet out) throws IOException {
        byte[] chunk = new byte[4096];
        while (!poll(out)) {
            int n = in.read(chunk, 0, Math.min(chunk.length, Math.max(1, room())));
            if (n < 0) {
                throw end > start
                    ? new MqttProtocolException("connection closed inside a packet (" + (end - start) + " bytes read)")
                    : new EOFException("connection closed by the broker");
            }
            append(ByteBuffer.wrap(chunk, 0, n));
        }
    }

    private void consume(int n) {
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
            shrink();
        }
    }

    /** Back to the first size once empty after a large packet: a burst does not keep its memory. */
    private void shrink() {
        if (buf.length > Math.max(initialCapacity, KEEP_CAPACITY) && start == end) {
            buf = new byte[initialCapacity];
        }
    }

    private void ensure(int more) {
        if (buf.length - end >= more) {
            return;
        }
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            start = 0;
        }
        if (buf.length - end < more) {
            buf = Arrays.copyOf(buf, (int) Math.min(maxCapacity, Math.max(end + more, buf.length * 2L)));
        }
    }
}
