package io.pigeon.gateway.bridge;

import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.gateway.config.Topics;
import io.pigeon.mqtt.FileOutbox;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.mqtt.Will;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/** The gateway's MQTT client as its config asks for it: options, last will, and the disk outbox when there is one. */
final class MqttSetup {
    static final byte[] ONLINE = "online".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OFFLINE = "offline".getBytes(StandardCharsets.US_ASCII);

    private MqttSetup() {
    }

    /** The disk outbox of {@code outbox_dir}, opened and its recovery told in the log; null without one. */
    static @Nullable FileOutbox outbox(GatewayConfig.Mqtt m) throws IOException {
        if (m.outboxDir() == null) {
            return null;
        }
        FileOutbox f = new FileOutbox(m.outboxDir(), m.outboxMaxBytes(), Math.max(m.bufferMessages(), 100_000),
            FileOutbox.Fsync.interval(1000));
        if (f.recovered() > 0) {
            Logger.info("outbox {}: {} unacknowledged message(s) from the last run will be sent first",
                m.outboxDir(), f.recovered());
        }
        if (f.tornRecords() > 0) {
            Logger.warn("outbox {}: cut off {} record(s) left incomplete at the end of a segment (a crash or power "
                + "loss during a write)", m.outboxDir(), f.tornRecords());
        }
        if (f.damagedRecords() > 0) {
            Logger.warn("outbox {}: skipped {} damaged record(s) inside its segments and kept every intact one "
                + "(the storage returned corrupt data: check the SD card)", m.outboxDir(), f.damagedRecords());
        }
        if (f.droppedAtStart() > 0) {
            Logger.warn("outbox {}: dropped the {} oldest message(s) to fit outbox_max_mb", m.outboxDir(),
                f.droppedAtStart());
        }
        for (String w : f.warnings()) {
            Logger.warn("outbox: {}", w);
        }
        return f;
    }

    /** The client, not started; its will says the gateway is {@code offline}. */
    static MqttClient client(GatewayConfig config, Topics topics, FileOutbox outbox) {
        GatewayConfig.Mqtt m = config.mqtt();
        MqttOptions.Builder options = MqttOptions.builder().host(m.host()).port(m.port()).clientId(m.clientId())
            .keepAlive(m.keepalive()).cleanSession(true).maxInflight(m.maxInflight())
            // a command larger than allowed is skipped by the client without being held (headers, topic: 64 KiB)
            .maxPacketSize(config.maxCommandBytes() + 65_544)
            .maxBuffered(m.bufferMessages(), m.bufferBytes())
            .overflow(MqttOptions.Overflow.DROP_OLDEST)
            .will(new Will(topics.availability(), OFFLINE, 1, true))
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        if (m.username() != null) {
            options.credentials(m.username(), m.password());
        }
        if (m.tls()) {
            options.tls(m.caFile(), m.certFile(), m.keyFile()).tlsVerifyHostname(m.verifyHostname());
        }
        return outbox == null ? new MqttClient(options) : new MqttClient(options, outbox);
    }
}
