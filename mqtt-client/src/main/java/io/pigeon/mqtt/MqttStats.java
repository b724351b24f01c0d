package io.pigeon.mqtt;

/**
 * A snapshot of a client's counters.
 *
 * @param sentQos0 QoS 0 messages written to the broker
 * @param acceptedQos12 QoS 1/2 messages accepted into the outbox
 * @param acknowledged QoS 1/2 messages the broker acknowledged (PUBACK or PUBCOMP)
 * @param droppedQos0 QoS 0 messages dropped because the outbox was full
 * @param rejected QoS 1/2 messages refused because the outbox was full ({@code publish} returned false)
 * @param droppedOldest QoS 1/2 messages evicted by the {@code DROP_OLDEST} policy
 * @param buffered messages in the outbox now, in flight or waiting
 * @param bufferedBytes topic and payload bytes in the outbox now
 * @param inflight QoS 1/2 messages written and not yet acknowledged
 * @param connects successful connections
 * @param connectionLosses connections that ended other than by {@code close}
 * @param protocolErrors connections closed because the broker broke the protocol
 * @param takeovers times a client-id takeover loop was detected
 * @param received messages received on subscriptions
 * @param droppedStalled QoS 0 messages dropped because the connection was not taking data (a stalled link)
 * @param quarantined QoS 1/2 messages removed because the broker closed the connection right after them,
 *     again and again (larger than it allows, or a topic it refuses)
 * @param oversized messages received that were larger than the maximum packet size: acknowledged, skipped
 */
public record MqttStats(long sentQos0, long acceptedQos12, long acknowledged, long droppedQos0, long rejected,
                        long droppedOldest, int buffered, long bufferedBytes, int inflight, long connects,
                        long connectionLosses, long protocolErrors, long takeovers, long received,
                        long droppedStalled, long quarantined, long oversized) {
}
