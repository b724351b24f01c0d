package io.pigeon.mqtt;

import java.util.Arrays;

/**
 * The in-memory outbox, bounded by a number of records and by topic-plus-payload bytes. Records live in
 * slots whose byte arrays are reused, so a steady stream of small messages allocates nothing; a slot drops
 * an array larger than {@link #KEEP_BYTES} when freed so a burst of big messages is not retained.
 */
public final class MemoryOutbox extends SlotOutbox {
    static final int KEEP_BYTES = 1024;

    private final int maxRecords;
    private final long maxBytes;
    private byte[][] data = new byte[0][];

    public MemoryOutbox(int maxRecords, long maxBytes) {
        super(maxRecords);
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("outbox limits must be positive");
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    @Override
    protected void grow(int n) {
        data = Arrays.copyOf(data, n);
    }

    @Override
    public boolean fits(int topicLength, int payloadLength) {
        return size < maxRecords && bytes + topicLength + payloadLength <= maxBytes;
    }

    @Override
    public boolean canHold(int topicLength, int payloadLength) {
        return topicLength + (long) payloadLength <= maxBytes;
    }

    @Override
    public int append(byte[] topic, int topicLen, byte[] payload, int payloadOffset, int payloadLen,
                      int qos, boolean retain) {
        if (!fits(topicLen, payloadLen)) {
            return -1;
        }
        int h = allocate();
        data[h] = copy(data[h], topic, topicLen, payload, payloadOffset, payloadLen);
        add(h, qos, retain, topicLen, payloadLen);
        return h;
    }

    /** Topic then payload into {@code into}, reused when it is big enough. */
    static byte[] copy(byte[] into, byte[] topic, int topicLen, byte[] payload, int payloadOffset, int payloadLen) {
        int need = topicLen + payloadLen;
        byte[] d = into;
        if (d == null || d.length < need) {
            d = new byte[Math.max(64, need)];
        }
        System.arraycopy(topic, 0, d, 0, topicLen);
        System.arraycopy(payload, payloadOffset, d, topicLen, payloadLen);
        return d;
    }

    @Override
    public byte[] data(int handle) {
        return data[handle];
    }

    @Override
    public void remove(int h) {
        forget(h);
        if (data[h] != null && data[h].length > KEEP_BYTES) {
            data[h] = null;
        }
        free(h);
    }

    @Override
    public void close() {
    }
}
