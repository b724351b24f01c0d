package io.pigeon.mqtt;

import java.nio.ByteBuffer;

/**
 * The bytes encoded for the socket and not yet taken by it: one direct buffer, so a non-blocking write
 * copies nothing more, and bounded, so a broker that stops reading costs a known amount of memory.
 *
 * <p>Data (PUBLISH packets) is admitted while fewer than {@code dataLimit} bytes wait, or into an empty buffer
 * whatever its size (so one large message always gets through). Control packets (acks, pings, subscriptions,
 * DISCONNECT) are always admitted up to {@code hardLimit}; past that the connection is stuck. The buffer
 * grows only for a packet that needs it and shrinks back once drained.
 *
 * <p>Not thread-safe: guarded by the client's lock.
 */
final class SendBuffer {
    private final int baseCapacity;
    private final int dataLimit;
    private final int hardLimit;
    private ByteBuffer buf;
    /** Nothing more may be appended: DISCONNECT was (MQTT-3.14.4-2). */
    private boolean sealed;

    SendBuffer(int baseCapacity, int dataLimit, int hardLimit) {
        this.baseCapacity = baseCapacity;
        this.dataLimit = dataLimit;
        this.hardLimit = hardLimit;
        this.buf = ByteBuffer.allocateDirect(baseCapacity);
        buf.flip(); // read mode: [position, limit) waits for the socket
    }

    /** Bytes waiting for the socket. */
    int pending() {
        return buf.remaining();
    }

    /** Whether a PUBLISH of {@code size} bytes may be added now. */
    boolean admitsData(int size) {
        return !sealed && (buf.remaining() == 0 || buf.remaining() + (long) size <= dataLimit);
    }

    /**
     * Appends a data packet given in two parts (encoded header, then the caller's payload); false when it is not
     * admitted (see {@link #admitsData}).
     */
    boolean appendData(byte[] head, int headLength, byte[] body, int bodyOffset, int bodyLength) {
        if (!admitsData(headLength + bodyLength)) {
            return false;
        }
        put(head, 0, headLength);
        put(body, bodyOffset, bodyLength);
        return true;
    }

    /** Appends a control packet; false when sealed or when the buffer is full even for control packets. */
    boolean appendControl(byte[] src, int len) {
        if (sealed || buf.remaining() + (long) len > hardLimit) {
            return false;
        }
        put(src, 0, len);
        return true;
    }

    /** After DISCONNECT: refuse everything from now on. */
    void seal() {
        sealed = true;
    }

    boolean sealed() {
        return sealed;
    }

    /** Forgets everything waiting and unseals, for a new connection. */
    void clear() {
        buf.position(buf.limit());
        sealed = false;
        drained();
    }

    /** The waiting bytes, for the transport to write from (advancing the position). */
    ByteBuffer readable() {
        return buf;
    }

    /** Called after the transport wrote: gives memory back once a large burst has drained. */
    void drained() {
        if (buf.remaining() == 0) {
            if (buf.capacity() > baseCapacity) {
                buf = ByteBuffer.allocateDirect(baseCapacity);
            }
            buf.clear().flip();
        }
    }

    private void put(byte[] src, int off, int len) {
        if (buf.capacity() - buf.limit() < len) {
            buf.compact().flip();
            if (buf.capacity() - buf.limit() < len) {
                int need = buf.remaining() + len;
                ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(need, Math.min(hardLimit, buf.capacity() * 2)));
                bigger.put(buf).flip();
                buf = bigger;
            }
        }
        int at = buf.limit();
        buf.limit(at + len);
        buf.put(at, src, off, len);
    }
}
