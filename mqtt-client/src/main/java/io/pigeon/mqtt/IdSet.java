package io.pigeon.mqtt;

/** A set of packet identifiers 1..65535 as a bit set: 8 KB, allocated on first use, never grows. */
final class IdSet {
    private long[] bits;

    boolean add(int id) {
        if (bits == null) {
            bits = new long[1024];
        }
        long mask = 1L << (id & 63);
        boolean absent = (bits[id >>> 6] & mask) == 0;
        bits[id >>> 6] |= mask;
        return absent;
    }

    boolean contains(int id) {
        return bits != null && (bits[id >>> 6] & (1L << (id & 63))) != 0;
    }

    void remove(int id) {
        if (bits != null) {
            bits[id >>> 6] &= ~(1L << (id & 63));
        }
    }

    void clear() {
        if (bits != null) {
            java.util.Arrays.fill(bits, 0);
        }
    }
}
