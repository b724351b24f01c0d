package io.pigeon.mqtt;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A decoded packet: a reusable view filled by {@link MqttDecoder}. A PUBLISH payload is not copied; it stays
 * in {@link #buffer} at {@link #payloadOffset} until the next decode into the same buffer.
 */
final class Packet {
    public int type;
    public int flags;
    public int packetId;

    // CONNACK
    public boolean sessionPresent;
    public int returnCode;

    // PUBLISH
    public int qos;
    public boolean dup;
    public boolean retain;
    public @Nullable String topic;
    public byte @Nullable [] buffer;
    public int payloadOffset;
    public int payloadLength;
    /** A PUBLISH larger than the reader holds: its whole length; the payload was skipped, not read. */
    public int oversizedLength;

    // SUBACK: return codes; SUBSCRIBE: requested QoS per filter
    public int[] codes = new int[4];
    public int codeCount;

    // SUBSCRIBE and UNSUBSCRIBE
    public String[] filters = new String[0];
    public int filterCount;

    // CONNECT
    public @Nullable String protocolName;
    public int protocolLevel;
    public int connectFlags;
    public int keepAlive;
    public @Nullable String clientId;
    public @Nullable String willTopic;
    public byte @Nullable [] willPayload;
    public @Nullable String username;
    public byte @Nullable [] password;

    public boolean cleanSession() {
        return (connectFlags & 0x02) != 0;
    }

    public byte[] payload() {
        return Arrays.copyOfRange(buffer, payloadOffset, payloadOffset + payloadLength);
    }

    void addCode(int code) {
        if (codeCount == codes.length) {
            codes = Arrays.copyOf(codes, codes.length * 2);
        }
        codes[codeCount++] = code;
    }

    void addFilter(String filter) {
        if (filterCount == filters.length) {
            filters = Arrays.copyOf(filters, Math.max(4, filters.length * 2));
        }
        filters[filterCount++] = filter;
    }

    void clear() {
        packetId = 0;
        sessionPresent = false;
        returnCode = 0;
        qos = 0;
        dup = false;
        retain = false;
        topic = null;
        buffer = null;
        payloadOffset = 0;
        payloadLength = 0;
        oversizedLength = 0;
        codeCount = 0;
        filterCount = 0;
        protocolName = null;
        protocolLevel = 0;
        connectFlags = 0;
        keepAlive = 0;
        clientId = null;
        willTopic = null;
        willPayload = null;
        username = null;
        password = null;
    }

    @Override
    public String toString() {
        return PacketType.name(type) + (packetId != 0 ? " id=" + packetId : "")
            + (topic != null ? " topic=" + topic : "");
    }
}
