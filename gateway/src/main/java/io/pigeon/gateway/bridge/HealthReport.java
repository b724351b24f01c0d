package io.pigeon.gateway.bridge;

import io.pigeon.drivers.DeviceSupervisor;
import io.pigeon.drivers.Health;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.gateway.json.Json;
import io.pigeon.mqtt.FileOutbox;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttStats;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * What the gateway says of itself: the health report ({@code <root>/health}), the counters the status page
 * shows too, and the outbox's trouble as it starts and ends.
 *
 * <p>Threads: the JSON methods run on whichever thread asks (the gateway's scheduler, the web server's);
 * {@link #changes} only on the gateway's scheduler (the health task), which alone writes its two fields.
 */
final class HealthReport {
    private final GatewayConfig config;
    private final MqttClient client;
    private final FileOutbox fileOutbox;
    private final Map<String, DeviceSupervisor> devices;
    private final long started = System.nanoTime();
    private long lastDropped;
    private String lastOutboxState = "ok";

    /**
     * @param fileOutbox the disk outbox, or null (in memory)
     * @param devices by name, in the config's order
     */
    HealthReport(GatewayConfig config, MqttClient client, FileOutbox fileOutbox, Map<String, DeviceSupervisor> devices) {
        this.config = config;
        this.client = client;
        this.fileOutbox = fileOutbox;
        this.devices = devices;
    }

    long uptimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    }

    /** The health report, as {@code <root>/health} carries it. */
    String json() {
        Json each = new Json();
        devices.forEach((name, supervisor) -> {
            Health h = supervisor.health();
            each.raw(name, new Json().put("availability", h != null && h.online() ? "online" : "offline")
                .put("reason", h == null ? "starting" : h.reason())
                .raw("errors", new Json().putAll(supervisor.counters()).toString()).toString());
        });
        Runtime rt = Runtime.getRuntime();
        return counters(new Json()
            .put("uptime_s", uptimeSeconds())
            .put("platform", config.hardware().name())
            .put("heap_used", rt.totalMemory() - rt.freeMemory())
            .put("threads", ManagementFactory.getThreadMXBean().getThreadCount())
            .put("connected", client.isConnected()))
            .raw("devices", each.toString())
            .toString();
    }

    int online() {
        int n = 0;
        for (DeviceSupervisor s : devices.values()) {
            Health h = s.health();
            n += h != null && h.online() ? 1 : 0;
        }
        return n;
    }

    /** What the health report and the status page both count. */
    Json counters(Json json) {
        MqttStats s = client.stats();
        return json
            .put("outbox", s.buffered())
            .put("published", s.sentQos0() + s.acknowledged())
            .put("dropped", dropped(s))
            .put("quarantined", s.quarantined())
            .put("outbox_damaged", fileOutbox == null ? 0 : fileOutbox.damagedRecords())
            .put("outbox_state", outboxState())
            .put("oversized_received", s.oversized())
            .put("reconnects", Math.max(0, s.connects() - 1));
    }

    /**
     * Logs the outbox going degraded or recovering, and returns the {@code outbox_full} alert when messages were
     * dropped since the last call (else null). Thread: the gateway's health task only.
     */
    Json changes() {
        long dropped = dropped(client.stats());
        Json alert = null;
        if (dropped > lastDropped) {
            alert = new Json().put("gateway", config.mqtt().clientId()).put("event", "outbox_full")
                .put("dropped", dropped - lastDropped);
            lastDropped = dropped;
        }
        String state = outboxState();
        if (!state.equals(lastOutboxState)) {
            if (state.startsWith("degraded")) {
                Logger.warn("outbox {}: {}; new messages wait in memory", config.mqtt().outboxDir(), state);
            } else if (lastOutboxState.startsWith("degraded")) {
                Logger.info("outbox {}: writing to disk again", config.mqtt().outboxDir());
            }
            lastOutboxState = state;
        }
        return alert;
    }

    /** "ok", "memory" (no outbox_dir), or "degraded: <why the disk cannot be written>". */
    private String outboxState() {
        if (fileOutbox == null) {
            return "memory";
        }
        String reason = fileOutbox.degradedReason();
        return reason == null ? "ok" : "degraded: " + reason;
    }

    /** Messages lost to the gateway's bounds: outbox full, or QoS 0 while the link was not taking data. */
    private static long dropped(MqttStats s) {
        return s.droppedQos0() + s.droppedOldest() + s.rejected() + s.droppedStalled();
    }
}
