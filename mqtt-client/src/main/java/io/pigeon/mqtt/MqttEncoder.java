package io.pigeon.mqtt;

import java.util.Arrays;

/**
 * Encodes MQTT 3.1.1 packets into one reusable, growable buffer. One instance per connection; not
 * thread-safe. Strings are passed pre-encoded (see {@link Utf8}) so a topic is encoded once, not per message.
 */
final class MqttEncoder {
    /** The largest remaining length four length bytes can express (§2.2.3). */
    public static final int MAX_REMAINING_LENGTH = 268_435_455;

    private static final byte[] PROTOCOL_NAME = {0, 4, 'M', 'Q', 'T', 'T'};
    private static final int PROTOCOL_LEVEL = 4;

    private byte[] buf;
    private int pos;

    public MqttEncoder(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public byte[] array() {
        return buf;
    }

    public int length() {
        return pos;
    }

    public MqttEncoder reset() {
        pos = 0;
        return this;
    }

    /** Bytes needed to encode {@code remainingLength} as a variable byte integer. */
    public static int remainingLengthSize(int remainingLength) {
        if (remainingLength < 0 || remainingLength > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("remaining length " + remainingLength + " is outside 0.."
                + MAX_REMAINING_LENGTH);
        }
        return remainingLength < 128 ? 1 : remainingLength < 16_384 ? 2 : remainingLength < 2_097_152 ? 3 : 4;
    }

    public void connect(byte[] clientId, boolean cleanSession, int keepAliveSeconds,
                        byte[] willTopic, byte[] willPayload, int willQos, boolean willRetain,
                        byte[] username, byte[] password) {
        if (keepAliveSeconds < 0 || keepAliveSeconds > 65_535) {
            throw new IllegalArgumentException("keep-alive " + keepAliveSeconds + " s is outside 0..65535");
        }
        int flags = cleanSession ? 0x02 : 0;
        int remaining = PROTOCOL_NAME.length + 1 + 1 + 2 + 2 + clientId.length;
        if (willTopic != null) {
            flags |= 0x04 | (willQos << 3) | (willRetain ? 0x20 : 0);
            remaining += 2 + willTopic.length + 2 + willPayload.length;
        }
        if (username != null) {
            flags |= 0x80;
            remaining += 2 + username.length;
        }
        if (password != null) {
            flags |= 0x40;
            remaining += 2 + password.length;
        }
        header(PacketType.CONNECT << 4, remaining);
        put(PROTOCOL_NAME, 0, PROTOCOL_NAME.length);
        put(PROTOCOL_LEVEL);
        put(flags);
        putShort(keepAliveSeconds);
        putString(clientId, clientId.length);
        if (willTopic != null) {
            putString(willTopic, willTopic.length);
            putString(willPayload, willPayload.length);
        }
        if (username != null) {
            putString(username, username.length);
        }
        if (password != null) {
            putString(password, password.length);
        }
    }

    public void connack(boolean sessionPresent, int returnCode) {
        header(PacketType.CONNACK << 4, 2);
        put(sessionPresent ? 1 : 0);
        put(returnCode);
    }

    /** The remaining length of a PUBLISH packet. */
    public static int publishRemainingLength(int topicLength, int payloadLength, int qos) {
        long remaining = 2L + topicLength + (qos > 0 ? 2 : 0) + payloadLength;
        if (remaining > MAX_REMAINING_LENGTH) {
            throw new IllegalArgumentException("payload of " + payloadLength
                + " bytes makes the packet larger than MQTT allows (" + MAX_REMAINING_LENGTH + " bytes)");
        }
        return (int) remaining;
    }

    /** The size of a whole PUBLISH packet, fixed header included. */
    public static int publishPacketSize(int topicLength, int payloadLength, int qos) {
        int remaining = publishRemainingLength(topicLength, payloadLength, qos);
        return 1 + remainingLengthSize(remaining) + remaining;
    }

    /** A whole PUBLISH packet: fixed header, topic, packet id (QoS 1 and 2) and payload. */
    public void publish(byte[] topic, int topicLength, byte[] payload, int payloadOffset, int payloadLength,
                        int qos, boolean retain, boolean dup, int packetId) {
        publishHeader(topic, topicLength, payloadLength, qos, retain, dup, packetId);
        put(payload, payloadOffset, payloadLength);
    }

    /** Everything of a PUBLISH packet but its payload, for payloads written straight from the caller's array. */
    public void publishHeader(byte[] topic, int topicLength, int payloadLength, int qos, boolean retain,
                              boolean dup, int packetId) {
        int remaining = publishRemainingLength(topicLength, payloadLength, qos);
        header(PacketType.PUBLISH << 4 | (dup ? 0x08 : 0) | qos << 1 | (retain ? 1 : 0), remaining);
        putString(topic, topicLength);
        if (qos > 0) {
            putShort(packetId);
        }
    }

    /** PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: a packet id and nothing else. */
    public void ack(int type, int packetId) {
        header(type << 4 | (type == PacketType.PUBREL ? 0x02 : 0), 2);
        putShort(packetId);
    }

    public void subscribe(int packetId, byte[][] filters, int[] qos, int count) {
        int remaining = 2;
        for (int i = 0; i < count; i++) {
            remaining += 2 + filters[i].length + 1;
        }
        header(PacketType.SUBSCRIBE << 4 | 0x02, remaining);
        putShort(packetId);
        for (int i = 0; i < count; i++) {
            putString(filters[i], filters[i].length);
            put(qos[i]);
        }
    }

    public void suback(int packetId, int[] returnCodes, int count) {
        header(PacketType.SUBACK << 4, 2 + count);
        putShort(packetId);
        for (int i = 0; i < count; i++) {
            put(returnCodes[i]);
        }
    }

    public void unsubscribe(int packetId, byte[][] filters, int count) {
        int remaining = 2;
        for (int i = 0; i < count; i++) {
            remaining += 2 + filters[i].length;
        }
        header(PacketType.UNSUBSCRIBE << 4 | 0x02, remaining);
        putShort(packetId);
        for (int i = 0; i < count; i++) {
            putString(filters[i], filters[i].length);
        }
    }

    public void pingreq() {
        header(PacketType.PINGREQ << 4, 0);
    }

    public void pingresp() {
        header(PacketType.PINGRESP << 4, 0);
    }

    public void disconnect() {
        header(PacketType.DISCONNECT << 4, 0);
    }

    private void header(int firstByte, int remainingLength) {
        ensure(1 + remainingLengthSize(remainingLength));
        buf[pos++] = (byte) firstByte;
        int v = remainingLength;
        do {
            int digit = v & 0x7F;
            v >>>= 7;
            buf[pos++] = (byte) (v > 0 ? digit | 0x80 : digit);
        } while (v > 0);
    }

    private void putString(byte[] utf8, int length) {
        if (length > 65_535) {
            // Never a silently wrong length prefix: the API checks first, this is the last line.
            throw new IllegalArgumentException("a string of " + length + " bytes is longer than MQTT allows (65535)");
        }
        putShort(length);
        put(utf8, 0, length);
    }

    private void putShort(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    private void put(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    private void put(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, pos, len);
        pos += len;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(pos + more, buf.length * 2));
        }
    }
}
