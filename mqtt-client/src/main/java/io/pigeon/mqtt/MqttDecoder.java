package io.pigeon.mqtt;

/**
 * Decodes MQTT 3.1.1 packets of either direction, strictly: every rule the specification states for a
 * receiver (reserved flags, exact lengths, valid UTF-8, no wildcards in a PUBLISH topic, non-zero packet ids)
 * is checked, and a violation is an {@link MqttProtocolException}, never another exception. A declared
 * length never causes an allocation: the caller sees the frame length first and decides.
 */
final class MqttDecoder {
    private final int maxPacketSize;
    private final Utf8.Decoder utf8 = new Utf8.Decoder();
    private final Reader r = new Reader();

    /** @param maxPacketSize the largest whole packet (header included) accepted; larger is a protocol error */
    public MqttDecoder(int maxPacketSize) {
        if (maxPacketSize < 2) {
            throw new IllegalArgumentException("maximum packet size must be at least 2 bytes");
        }
        this.maxPacketSize = maxPacketSize;
    }

    /**
     * The length of the whole packet starting at {@code off}, or 0 when {@code len} bytes are not enough to
     * know it yet.
     */
    public int frameLength(byte[] buf, int off, int len) throws MqttProtocolException {
        long total = declaredLength(buf, off, len);
        if (total > maxPacketSize) {
            throw new MqttProtocolException(PacketType.name((buf[off] & 0xFF) >>> 4) + " of " + total
                + " bytes is larger than the maximum packet size of " + maxPacketSize);
        }
        return (int) total;
    }

    /** Like {@link #frameLength}, without the maximum: for a reader that can skip what it will not hold. */
    long declaredLength(byte[] buf, int off, int len) throws MqttProtocolException {
        if (len < 2) {
            return 0;
        }
        int type = (buf[off] & 0xFF) >>> 4;
        if (type == 0 || type == 15) {
            throw new MqttProtocolException("reserved packet type " + type);
        }
        int remaining = 0;
        int multiplier = 1;
        for (int i = 1; ; i++) {
            if (i > 4) {
                throw new MqttProtocolException("remaining length is longer than 4 bytes");
            }
            if (i >= len) {
                return 0;
            }
            int b = buf[off + i] & 0xFF;
            remaining += (b & 0x7F) * multiplier;
            multiplier <<= 7;
            if ((b & 0x80) == 0) {
                if (i > 1 && b == 0) {
                    // Still decodable, but not the shortest form that §1.5.5 requires of a sender.
                    throw new MqttProtocolException("remaining length is not minimally encoded");
                }
                return (long) i + 1 + remaining;
            }
        }
    }

    /** Decodes the complete packet {@code buf[off, off + frameLength)} into {@code out}. */
    public void decode(byte[] buf, int off, int frameLength, Packet out) throws MqttProtocolException {
        int first = buf[off] & 0xFF;
        int type = first >>> 4;
        int flags = first & 0x0F;
        int p = off + 1;
        while ((buf[p] & 0x80) != 0) {
            p++;
        }
        p++;
        int end = off + frameLength;
        out.clear();
        out.type = type;
        out.flags = flags;
        Reader r = this.r.reset(buf, p, end, type);
        switch (type) {
            case PacketType.CONNECT -> connect(r, flags, out);
            case PacketType.CONNACK -> {
                flags(type, flags, 0);
                r.exact(2);
                int ackFlags = r.u8();
                if ((ackFlags & 0xFE) != 0) {
                    throw new MqttProtocolException("CONNACK reserved flag bits set: 0x" + Integer.toHexString(ackFlags));
                }
                out.sessionPresent = ackFlags == 1;
                out.returnCode = r.u8();
                if (out.returnCode > 5) {
                    throw new MqttProtocolException("CONNACK return code " + out.returnCode + " is not defined");
                }
                if (out.returnCode != 0 && out.sessionPresent) {
                    throw new MqttProtocolException("CONNACK refuses the connection but claims a session");
                }
            }
            case PacketType.PUBLISH -> publish(r, flags, buf, out);
            case PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBCOMP, PacketType.UNSUBACK -> {
                flags(type, flags, 0);
                r.exact(2);
                out.packetId = r.packetId();
            }
            case PacketType.PUBREL -> {
                flags(type, flags, 2);
                r.exact(2);
                out.packetId = r.packetId();
            }
            case PacketType.SUBSCRIBE -> {
                flags(type, flags, 2);
                out.packetId = r.packetId();
                if (!r.more()) {
                    throw new MqttProtocolException("SUBSCRIBE without a topic filter");
                }
                while (r.more()) {
                    String filter = r.string("topic filter");
                    TopicFilter.checkFilterOrThrow(filter);
                    int qos = r.u8();
                    if (qos > 2) {
                        throw new MqttProtocolException("SUBSCRIBE requests invalid QoS byte 0x" + Integer.toHexString(qos));
                    }
                    out.addFilter(filter);
                    out.addCode(qos);
                }
            }
            case PacketType.SUBACK -> {
                flags(type, flags, 0);
                out.packetId = r.packetId();
                if (!r.more()) {
                    throw new MqttProtocolException("SUBACK without a return code");
                }
                while (r.more()) {
                    int code = r.u8();
                    if (code > 2 && code != 0x80) {
                        throw new MqttProtocolException("SUBACK return code 0x" + Integer.toHexString(code)
                            + " is not defined");
                    }
                    out.addCode(code);
                }
            }
            case PacketType.UNSUBSCRIBE -> {
                flags(type, flags, 2);
                out.packetId = r.packetId();
                if (!r.more()) {
                    throw new MqttProtocolException("UNSUBSCRIBE without a topic filter");
                }
                while (r.more()) {
                    String filter = r.string("topic filter");
                    TopicFilter.checkFilterOrThrow(filter);
                    out.addFilter(filter);
                }
            }
            case PacketType.PINGREQ, PacketType.PINGRESP, PacketType.DISCONNECT -> {
                flags(type, flags, 0);
                r.exact(0);
            }
            default -> throw new MqttProtocolException("reserved packet type " + type);
        }
    }

    private void connect(Reader r, int flags, Packet out) throws MqttProtocolException {
        flags(PacketType.CONNECT, flags, 0);
        out.protocolName = r.string("protocol name");
        out.protocolLevel = r.u8();
        if (!"MQTT".equals(out.protocolName) && !"MQIsdp".equals(out.protocolName)) {
            throw new MqttProtocolException("unknown protocol name '" + out.protocolName + "'");
        }
        int cf = r.u8();
        if ((cf & 0x01) != 0) {
            throw new MqttProtocolException("CONNECT reserved flag bit set");
        }
        boolean will = (cf & 0x04) != 0;
        int willQos = (cf >>> 3) & 0x03;
        if (willQos == 3 || (!will && (willQos != 0 || (cf & 0x20) != 0))) {
            throw new MqttProtocolException("CONNECT will flags are inconsistent: 0x" + Integer.toHexString(cf));
        }
        if ((cf & 0x40) != 0 && (cf & 0x80) == 0) {
            throw new MqttProtocolException("CONNECT has a password flag without a user name flag");
        }
        out.connectFlags = cf;
        out.keepAlive = r.u16();
        out.clientId = r.string("client identifier");
        if (will) {
            out.willTopic = r.string("will topic");
            out.willPayload = r.bytes();
        }
        if ((cf & 0x80) != 0) {
            out.username = r.string("user name");
        }
        if ((cf & 0x40) != 0) {
            out.password = r.bytes();
        }
        if (r.more()) {
            throw new MqttProtocolException("CONNECT has trailing bytes");
        }
    }

    private void publish(Reader r, int flags, byte[] buf, Packet out) throws MqttProtocolException {
        int qos = (flags >>> 1) & 0x03;
        if (qos == 3) {
            throw new MqttProtocolException("PUBLISH with QoS 3");
        }
        out.qos = qos;
        out.dup = (flags & 0x08) != 0;
        out.retain = (flags & 0x01) != 0;
        if (qos == 0 && out.dup) {
            throw new MqttProtocolException("PUBLISH at QoS 0 with the DUP flag set");
        }
        out.topic = r.string("topic name");
        if (out.topic.isEmpty()) {
            throw new MqttProtocolException("PUBLISH with an empty topic name");
        }
        if (out.topic.indexOf('+') >= 0 || out.topic.indexOf('#') >= 0) {
            throw new MqttProtocolException("PUBLISH topic name contains a wildcard: " + out.topic);
        }
        if (qos > 0) {
            out.packetId = r.packetId();
        }
        out.buffer = buf;
        out.payloadOffset = r.pos;
        out.payloadLength = r.end - r.pos;
    }

    private static void flags(int type, int flags, int expected) throws MqttProtocolException {
        if (flags != expected) {
            throw new MqttProtocolException(PacketType.name(type) + " with reserved flag bits 0x"
                + Integer.toHexString(flags) + " (must be 0x" + Integer.toHexString(expected) + ")");
        }
    }

    /** Bounds-checked reads inside one packet. */
    private final class Reader {
        byte[] buf;
        int end;
        int type;
        int pos;

        Reader reset(byte[] buf, int pos, int end, int type) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
            this.type = type;
            return this;
        }

        boolean more() {
            return pos < end;
        }

        void exact(int remaining) throws MqttProtocolException {
            if (end - pos != remaining) {
                throw new MqttProtocolException(PacketType.name(type) + " remaining length is " + (end - pos)
                    + ", must be " + remaining);
            }
        }

        private void need(int n) throws MqttProtocolException {
            if (end - pos < n) {
                throw new MqttProtocolException(PacketType.name(type) + " is truncated");
            }
        }

        int u8() throws MqttProtocolException {
            need(1);
            return buf[pos++] & 0xFF;
        }

        int u16() throws MqttProtocolException {
            need(2);
            int v = (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int packetId() throws MqttProtocolException {
            int id = u16();
            if (id == 0) {
                throw new MqttProtocolException(PacketType.name(type) + " with packet identifier 0");
            }
            return id;
        }

        String string(String what) throws MqttProtocolException {
            int len = u16();
            need(len);
            String s = utf8.decode(buf, pos, len, what);
            pos += len;
            return s;
        }

        byte[] bytes() throws MqttProtocolException {
            int len = u16();
            need(len);
            byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return b;
        }
    }
}
