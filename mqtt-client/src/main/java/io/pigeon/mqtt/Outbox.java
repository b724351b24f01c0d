package io.pigeon.mqtt;

/**
 * Where the client keeps every publish it has accepted but not finished: QoS 1/2 messages until their
 * PUBACK/PUBCOMP, and any message made while disconnected until it is written. Records keep their order.
 * A record is named by an int handle that stays valid until it is removed.
 *
 * <p>The client calls an outbox only while holding its own lock, so an implementation needs no locking.
 * The overflow policy lives in the client; an outbox only says whether a record fits.
 */
public interface Outbox extends AutoCloseable {
    /** Stage of a record: not yet written. */
    int QUEUED = 0;
    /** Stage of a record: PUBLISH written, waiting for PUBACK (QoS 1) or PUBREC (QoS 2). */
    int SENT = 1;
    /** Stage of a QoS 2 record: PUBREL written, waiting for PUBCOMP. */
    int RELEASED = 2;

    /** Whether a record with this topic and payload length fits now. */
    boolean fits(int topicLength, int payloadLength);

    /** Whether a record this large could ever fit, even into an empty outbox. */
    default boolean canHold(int topicLength, int payloadLength) {
        return true;
    }

    /** Appends a record at stage {@link #QUEUED}; returns its handle, or -1 if it does not fit. */
    int append(byte[] topic, int topicLength, byte[] payload, int payloadOffset, int payloadLength,
               int qos, boolean retain);

    /** The oldest record, or -1 when empty. */
    int first();

    /** The record after {@code handle}, or -1. */
    int next(int handle);

    /** The oldest record at QoS 0, or -1. */
    int firstQos0();

    int qos(int handle);

    boolean retain(int handle);

    int stage(int handle);

    int packetId(int handle);

    void setStage(int handle, int stage, int packetId);

    /** The array holding the record: its topic at 0, its payload right after. */
    byte[] data(int handle);

    int topicLength(int handle);

    int payloadLength(int handle);

    /** Finds the record written with this packet id (stage SENT or RELEASED), or -1. */
    int findByPacketId(int packetId);

    void remove(int handle);

    /** Records held. */
    int size();

    /** Topic and payload bytes held. */
    long bytes();

    /**
     * Makes what was appended and every stage change reach the operating system (not necessarily the storage
     * device; see {@link #idle}). The client calls it before {@code publish} returns and before it writes
     * packets to the socket, so that after a crash of the process nothing sent is unknown to the outbox.
     */
    default void persist() {
    }

    /**
     * Called now and then (about once a second) when the connection is quiet: a chance to finish deferred
     * work, such as forcing buffered writes to disk.
     */
    default void idle() {
    }

    @Override
    void close();
}
