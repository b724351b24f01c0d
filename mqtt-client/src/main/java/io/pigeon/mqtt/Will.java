package io.pigeon.mqtt;

/** The last will the broker publishes when the connection drops without a DISCONNECT. */
// The payload is the caller's bytes, kept as given: a Will is configuration, never compared or used as a key.
@SuppressWarnings("ArrayRecordComponent")
public record Will(String topic, byte[] payload, int qos, boolean retain) {
    public Will {
        TopicFilter.checkTopicName(topic);
        Utf8.encode(topic, "will topic"); // well-formed, no U+0000, at most 65,535 bytes
        if (payload == null || payload.length > Utf8.MAX_BYTES) {
            throw new IllegalArgumentException("will payload must be present and at most 65535 bytes");
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("will QoS must be 0, 1 or 2, not " + qos);
        }
    }
}
