package io.pigeon.gateway.mqtt;

import java.util.Arrays;

/**
 * The in-memory outbox, bounded by a number of records and by topic-plus-payload bytes. Records live in
 * slots whose byte arrays are reused, so a steady stream of small messages allocates nothing; a slot drops
 * an array larger than {@link #KEEP_BYTES} when freed so a burst of big messages is not retained.
 */
public final class MemoryOutbox implements Outbox {
    static final int KEEP_BYTES = 1024;

    private final int maxRecords;
    private final long maxBytes;

    private byte[][] data = new byte[0][];
    private int[] topicLength = new int[0];
    private int[] payloadLength = new int[0];
    private int[] packetId = new int[0];
    private byte[] meta = new byte[0]; // qos (bits 0-1), retain (bit 2), stage (bits 3-4)
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private int freeList = -1;
    private int head = -1;
    private int tail = -1;
    private int size;
    private long bytes;

    public MemoryOutbox(int maxRecords, long maxBytes) {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("outbox limits must be positive");
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean fits(int topicLength, int payloadLength) {
        return size < maxRecords && bytes + topicLength + payloadLength <= maxBytes;
    }

    @Override
    public int append(byte[] topic, int topicLen, byte[] payload, int payloadOffset, int payloadLen,
                      int qos, boolean retain) {
        if (!fits(topicLen, payloadLen)) {
            return -1;
        }
        int h = allocate();
        int need = topicLen + payloadLen;
        byte[] d = data[h];
        if (d == null || d.length < need) {
            d = new byte[Math.max(64, need)];
            data[h] = d;
        }
        System.arraycopy(topic, 0, d, 0, topicLen);
        System.arraycopy(payload, payloadOffset, d, topicLen, payloadLen);
        topicLength[h] = topicLen;
        payloadLength[h] = payloadLen;
        packetId[h] = 0;
        meta[h] = (byte) (qos | (retain ? 4 : 0));
        next[h] = -1;
        prev[h] = tail;
        if (tail >= 0) {
            next[tail] = h;
        } else {
            head = h;
        }
        tail = h;
        size++;
        bytes += need;
        return h;
    }

    private int allocate() {
        if (freeList >= 0) {
            int h = freeList;
            freeList = next[h];
            return h;
        }
        int h = data.length;
        if (h == next.length) {
            int n = Math.min(maxRecords, Math.max(8, h * 2));
            data = Arrays.copyOf(data, n);
            topicLength = Arrays.copyOf(topicLength, n);
            payloadLength = Arrays.copyOf(payloadLength, n);
            packetId = Arrays.copyOf(packetId, n);
            meta = Arrays.copyOf(meta, n);
            next = Arrays.copyOf(next, n);
            prev = Arrays.copyOf(prev, n);
            // Thread the new slots onto the free list, lowest first.
            for (int i = n - 1; i > h; i--) {
                next[i] = freeList;
                freeList = i;
            }
        }
        return h;
    }

    @Override
    public int first() {
        return head;
    }

    @Override
    public int next(int handle) {
        return next[handle];
    }

    @Override
    public int firstQos0() {
        for (int h = head; h >= 0; h = next[h]) {
            if ((meta[h] & 3) == 0) {
                return h;
            }
        }
        return -1;
    }

    @Override
    public int qos(int handle) {
        return meta[handle] & 3;
    }

    @Override
    public boolean retain(int handle) {
        return (meta[handle] & 4) != 0;
    }

    @Override
    public int stage(int handle) {
        return (meta[handle] >>> 3) & 3;
    }

    @Override
    public int packetId(int handle) {
        return packetId[handle];
    }

    @Override
    public void setStage(int handle, int stage, int id) {
        meta[handle] = (byte) ((meta[handle] & 7) | stage << 3);
        packetId[handle] = id;
    }

    @Override
    public byte[] data(int handle) {
        return data[handle];
    }

    @Override
    public int topicLength(int handle) {
        return topicLength[handle];
    }

    @Override
    public int payloadLength(int handle) {
        return payloadLength[handle];
    }

    @Override
    public int findByPacketId(int id) {
        // Written records are the oldest ones and acks mostly come in order: this usually stops at once.
        for (int h = head; h >= 0; h = next[h]) {
            int stage = stage(h);
            if (stage == QUEUED) {
                return -1;
            }
            if (packetId[h] == id) {
                return h;
            }
        }
        return -1;
    }

    @Override
    public void remove(int h) {
        int p = prev[h];
        int n = next[h];
        if (p >= 0) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail = p;
        }
        size--;
        bytes -= topicLength[h] + payloadLength[h];
        if (data[h] != null && data[h].length > KEEP_BYTES) {
            data[h] = null;
        }
        meta[h] = 0;
        next[h] = freeList;
        freeList = h;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
    }
}
