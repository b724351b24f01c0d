package io.pigeon.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The QoS state machine of the messages the client publishes, over its {@link Outbox}: QUEUED until written,
 * SENT until PUBACK (QoS 1) or PUBREC (QoS 2), RELEASED until PUBCOMP. Records keep their order; those
 * before {@link #cursor} are in flight, those from it on wait for the window and the socket.
 *
 * <p>Also where a poison message is recognised: when the broker closes the connection right after the
 * message at the head of the window was written, {@value #QUARANTINE_AFTER} times in a row, that message is
 * removed so the ones behind it can flow.
 *
 * <p>Guarded by the client's lock: every method runs with it held, on whichever thread took it.
 */
final class Outgoing {
    /** What the state machine needs of the connection. */
    interface Wire {
        /** Whether a PUBLISH of {@code size} bytes may be written now. */
        boolean admits(int size);

        /** Appends the PUBLISH whose header is in the encoder, followed by its payload (admitted already). */
        void data(byte[] payload, int offset, int length);

        /** Appends the control packet in the encoder; false when the connection can take no more. */
        boolean control();

        /** Hands what waits to the socket (persisting the outbox first). */
        void writeOut();
    }

    /** A message is suspected when the broker closes the connection this soon after it was written... */
    static final long SUSPECT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** ...and quarantined after this many such losses in a row. */
    static final int QUARANTINE_AFTER = 3;

    private final MqttOptions options;
    private final Outbox outbox;
    private final PacketIds ids;
    private final MqttEncoder encoder;
    private final Wire wire;
    /** The oldest record not yet written, or -1; records before it are in flight (SENT or RELEASED). */
    private int cursor = -1;
    /** After a reconnect with a session: the next in-flight record to write again, or -1. */
    private int resendFrom = -1;
    private int inflight;
    private int inflightQos2;
    /** The in-flight head last written on this connection, and when. */
    private int headWritten = -1;
    private long headWrittenAt;
    private int suspect = -1;
    private int suspectCount;

    long sentQos0;
    long acceptedQos12;
    long acknowledged;
    long droppedQos0;
    long rejected;
    long droppedOldest;
    long droppedStalled;
    long quarantined;

    Outgoing(MqttOptions options, Outbox outbox, PacketIds ids, MqttEncoder encoder, Wire wire) {
        this.options = options;
        this.outbox = outbox;
        this.ids = ids;
        this.encoder = encoder;
        this.wire = wire;
        restoreInFlight();
    }

    /**
     * Records an earlier run left in a persistent outbox keep their stage and packet id, so that they are sent
     * again as duplicates of what the broker may have seen (MQTT-4.4.0-1). In-flight records come first.
     */
    private void restoreInFlight() {
        int h = outbox.first();
        for (; h >= 0 && outbox.stage(h) != Outbox.QUEUED; h = outbox.next(h)) {
            if (!ids.restore(outbox.packetId(h))) {
                break; // not a state this client writes: send the rest as new messages
            }
            countInFlight(h, 1);
        }
        cursor = h;
        for (; h >= 0; h = outbox.next(h)) {
            if (outbox.stage(h) != Outbox.QUEUED) {
                outbox.setStage(h, Outbox.QUEUED, 0);
            }
        }
    }

    int inflight() {
        return inflight;
    }

    /**
     * Sends a QoS 0 message of {@code size} bytes (the whole packet) straight out; false (counted) when the
     * connection is not taking data.
     */
    boolean sendNow(Topic topic, byte[] payload, int offset, int length, boolean retain, int size) {
        if (!wire.admits(size)) {
            droppedStalled++; // the broker is not taking data: QoS 0 is not worth queueing behind a stall
            return false;
        }
        encoder.reset().publishHeader(topic.utf8, topic.utf8.length, length, 0, retain, false, 0);
        wire.data(payload, offset, length);
        sentQos0++;
        wire.writeOut();
        return true;
    }

    /** Takes a message into the outbox (the overflow policy applied); false when it was dropped or refused. */
    boolean accept(Topic topic, byte[] payload, int offset, int length, int qos, boolean retain) {
        int topicLength = topic.utf8.length;
        if (!makeRoom(topicLength, length, qos)) {
            return false;
        }
        int h = outbox.append(topic.utf8, topicLength, payload, offset, length, qos, retain);
        if (h < 0) {
            throw new IllegalStateException("outbox refused a record it said would fit");
        }
        if (qos > 0) {
            acceptedQos12++;
        }
        if (cursor < 0) {
            cursor = h;
        }
        return true;
    }

    /** A message the outbox could not store (its storage failed), counted as the full-outbox case. */
    void refused(int qos) {
        if (qos == 0) {
            droppedQos0++;
        } else {
            rejected++;
        }
    }

    /** Applies the overflow policy until the record fits; false if it cannot. */
    private boolean makeRoom(int topicLength, int payloadLength, int qos) {
        while (!outbox.fits(topicLength, payloadLength)) {
            int victim = outbox.firstQos0();
            if (victim < 0 && options.overflow == MqttOptions.Overflow.DROP_OLDEST) {
                victim = cursor; // the oldest message not yet written; written ones await their ack
            }
            if (victim < 0) {
                if (qos == 0) {
                    droppedQos0++;
                } else {
                    rejected++;
                }
                return false;
            }
            if (outbox.qos(victim) == 0) {
                droppedQos0++;
            } else {
                droppedOldest++;
            }
            remove(victim);
        }
        return true;
    }

    /**
     * A new connection was accepted. Without a session at the broker, what was in flight starts again as new
     * messages with new ids; with one, it is written again first, in order (DUP set, or PUBREL).
     */
    void connected(boolean sessionPresent) {
        if (sessionPresent) {
            resendFrom = outbox.first() == cursor ? -1 : outbox.first();
            return;
        }
        for (int h = outbox.first(); h >= 0 && h != cursor; h = outbox.next(h)) {
            ids.release(outbox.packetId(h));
            outbox.setStage(h, Outbox.QUEUED, 0);
        }
        cursor = outbox.first();
        inflight = 0;
        inflightQos2 = 0;
        resendFrom = -1;
    }

    /** Writes queued records while the window and the socket allow; first those a reconnect must repeat. */
    void pump() {
        while (resendFrom >= 0 && resendFrom != cursor) {
            int h = resendFrom;
            if (outbox.stage(h) == Outbox.RELEASED) {
                encoder.reset().ack(PacketType.PUBREL, outbox.packetId(h));
                if (!wire.control()) {
                    return;
                }
            } else if (wire.admits(recordSize(h))) {
                writeRecord(h, true);
            } else {
                wire.writeOut();
                return;
            }
            resendFrom = outbox.next(h);
        }
        resendFrom = -1;
        while (cursor >= 0) {
            int h = cursor;
            int qos = outbox.qos(h);
            if ((qos > 0 && inflight >= options.maxInflight) || !wire.admits(recordSize(h))
                || (qos == 2 && inflightQos2 >= options.maxInflightQos2)) {
                break; // in order: nothing overtakes a message that must wait
            }
            cursor = outbox.next(h);
            if (qos == 0) {
                writeRecord(h, false);
                remove(h);
                sentQos0++;
            } else {
                outbox.setStage(h, Outbox.SENT, ids.allocate());
                countInFlight(h, 1);
                writeRecord(h, false);
            }
        }
        wire.writeOut();
    }

    private int recordSize(int h) {
        return MqttEncoder.publishPacketSize(outbox.topicLength(h), outbox.payloadLength(h), outbox.qos(h));
    }

    /** Appends a record's PUBLISH (its size already admitted); notes the in-flight head for the quarantine. */
    private void writeRecord(int h, boolean dup) {
        byte[] d = outbox.data(h);
        int tl = outbox.topicLength(h);
        encoder.reset().publishHeader(d, tl, outbox.payloadLength(h), outbox.qos(h), outbox.retain(h), dup,
            outbox.packetId(h));
        wire.data(d, tl, outbox.payloadLength(h));
        if (h == outbox.first() && outbox.qos(h) > 0) {
            headWritten = h;
            headWrittenAt = System.nanoTime();
        }
    }

    /** PUBACK (QoS 1, stage SENT) or PUBCOMP (QoS 2, stage RELEASED): the message is done. */
    void acknowledged(int id, int qos, int stage, String what) throws MqttProtocolException {
        int h = outbox.findByPacketId(id);
        if (h < 0 || outbox.qos(h) != qos || outbox.stage(h) != stage) {
            throw new MqttProtocolException(what + " for unknown packet id " + id);
        }
        finish(h);
        acknowledged++;
        pump();
    }

    /** PUBREC: the broker has the QoS 2 message; PUBREL follows, its stage persisted before it leaves. */
    void received(int id) throws MqttProtocolException {
        int h = outbox.findByPacketId(id);
        if (h < 0 || outbox.qos(h) != 2) {
            throw new MqttProtocolException("PUBREC for unknown packet id " + id);
        }
        outbox.setStage(h, Outbox.RELEASED, id);
        encoder.reset().ack(PacketType.PUBREL, id);
        wire.control();
        wire.writeOut();
    }

    /**
     * The connection was lost after CONNACK. Returns whether the message at the head of the window is to blame
     * (the broker closed the connection within {@link #SUSPECT_WINDOW_NANOS} of its writing); after
     * {@link #QUARANTINE_AFTER} such losses in a row it is removed, and its topic and size returned for the log.
     */
    @Nullable Quarantined lost(boolean closedByBroker) {
        int h = outbox.first();
        boolean recent = headWritten >= 0 && System.nanoTime() - headWrittenAt <= SUSPECT_WINDOW_NANOS;
        if (!closedByBroker || h < 0 || h != headWritten || !recent || outbox.stage(h) != Outbox.SENT) {
            suspect = -1;
            suspectCount = 0;
            return null;
        }
        headWritten = -1;
        if (h == suspect) {
            suspectCount++;
        } else {
            suspect = h;
            suspectCount = 1;
        }
        if (suspectCount < QUARANTINE_AFTER) {
            return Quarantined.SUSPECTED;
        }
        byte[] d = outbox.data(h);
        Quarantined q = new Quarantined(new String(d, 0, outbox.topicLength(h), StandardCharsets.UTF_8),
            outbox.payloadLength(h));
        finish(h);
        quarantined++;
        return q;
    }

    /** A message blamed for a lost connection; {@link #SUSPECTED} while it is not yet removed. */
    record Quarantined(@Nullable String topic, int size) {
        static final Quarantined SUSPECTED = new Quarantined(null, 0);
    }

    /** An in-flight record is done (acknowledged or quarantined): its id and its window place are free. */
    private void finish(int h) {
        ids.release(outbox.packetId(h));
        countInFlight(h, -1);
        remove(h);
    }

    private void countInFlight(int h, int delta) {
        inflight += delta;
        if (outbox.qos(h) == 2) {
            inflightQos2 += delta;
        }
    }

    /** Takes a record out of the outbox, keeping the cursors and the suspect on live records. */
    private void remove(int h) {
        if (h == cursor) {
            cursor = outbox.next(h);
        }
        if (h == resendFrom) {
            resendFrom = outbox.next(h);
        }
        if (h == suspect) {
            suspect = -1;
            suspectCount = 0;
        }
        if (h == headWritten) {
            headWritten = -1;
        }
        outbox.remove(h);
    }
}
