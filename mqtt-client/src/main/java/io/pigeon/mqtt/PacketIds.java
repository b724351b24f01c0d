package io.pigeon.mqtt;

/**
 * The packet identifiers in use on a session, shared by PUBLISH, SUBSCRIBE and UNSUBSCRIBE (§2.3.1): handed
 * out in turn, skipping those in use. Guarded by the client's lock.
 */
final class PacketIds {
    private final IdSet inUse = new IdSet();
    private int next = 1;

    int allocate() {
        for (int i = 0; i < 65_535; i++) {
            int id = next;
            next = id == 65_535 ? 1 : id + 1;
            if (inUse.add(id)) {
                return id;
            }
        }
        throw new IllegalStateException("all 65535 packet ids are in use");
    }

    /** Takes an id restored from an earlier run; false if it is 0 or already taken. */
    boolean restore(int id) {
        if (id == 0 || !inUse.add(id)) {
            return false;
        }
        next = id == 65_535 ? 1 : id + 1;
        return true;
    }

    void release(int id) {
        inUse.remove(id);
    }
}
