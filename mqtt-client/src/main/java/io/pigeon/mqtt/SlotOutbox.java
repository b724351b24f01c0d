package io.pigeon.mqtt;

import java.util.Arrays;

/**
 * The index both outboxes keep in memory: records in slots, linked in order, each with its QoS, retain
 * flag, stage, packet id and lengths. Slots are reused through a free list and the arrays grow by doubling
 * (never past {@code maxSlots}), so a steady stream allocates nothing. A subclass keeps its own per-slot
 * data in arrays it grows in {@link #grow}.
 */
abstract class SlotOutbox implements Outbox {
    private final int maxSlots;
    protected int[] topicLength = new int[0];
    protected int[] payloadLength = new int[0];
    private int[] packetId = new int[0];
    private byte[] meta = new byte[0]; // qos (bits 0-1), retain (bit 2), stage (bits 3-4)
    private int[] next = new int[0];
    private int[] prev = new int[0];
    private int freeList = -1;
    private int head = -1;
    private int tail = -1;
    protected int size;
    protected long bytes;

    SlotOutbox(int maxSlots) {
        this.maxSlots = maxSlots;
    }

    /** Grows the subclass's per-slot arrays to {@code n} slots. */
    protected abstract void grow(int n);

    /** A free slot, its fields not yet set. */
    protected final int allocate() {
        if (freeList >= 0) {
            int h = freeList;
            freeList = next[h];
            return h;
        }
        int h = next.length;
        int n = (int) Math.min(maxSlots, Math.max(16, h * 2L));
        topicLength = Arrays.copyOf(topicLength, n);
        payloadLength = Arrays.copyOf(payloadLength, n);
        packetId = Arrays.copyOf(packetId, n);
        meta = Arrays.copyOf(meta, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
        grow(n);
        // Thread the new slots onto the free list, lowest first.
        for (int i = n - 1; i > h; i--) {
            next[i] = freeList;
            freeList = i;
        }
        return h;
    }

    /** Fills a slot's common fields (stage QUEUED) and links it at the end. */
    protected final void add(int h, int qos, boolean retain, int topicLen, int payloadLen) {
        meta[h] = (byte) (qos | (retain ? 4 : 0));
        topicLength[h] = topicLen;
        payloadLength[h] = payloadLen;
        packetId[h] = 0;
        link(h);
        size++;
        bytes += topicLen + payloadLen;
    }

    /** Takes a record out of the order and the counts; the slot is still the caller's to {@link #free}. */
    protected final void forget(int h) {
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
    }

    protected final void free(int h) {
        meta[h] = 0;
        next[h] = freeList;
        freeList = h;
    }

    private void link(int h) {
        next[h] = -1;
        prev[h] = tail;
        if (tail >= 0) {
            next[tail] = h;
        } else {
            head = h;
        }
        tail = h;
    }

    /** Puts the records in the given order (recovery reads them out of order). */
    protected final void relink(int[] order) {
        head = -1;
        tail = -1;
        for (int h : order) {
            link(h);
        }
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

    /** qos | retain << 2, as records store it. */
    protected final byte flags(int handle) {
        return (byte) (meta[handle] & 7);
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
            if (stage(h) == QUEUED) {
                return -1;
            }
            if (packetId[h] == id) {
                return h;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bytes() {
        return bytes;
    }
}
