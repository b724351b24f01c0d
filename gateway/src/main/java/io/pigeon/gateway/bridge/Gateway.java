package io.pigeon.gateway.bridge;

import io.pigeon.drivers.Command;
import io.pigeon.drivers.Device;
import io.pigeon.drivers.DeviceException;
import io.pigeon.drivers.DeviceSupervisor;
import io.pigeon.drivers.Health;
import io.pigeon.drivers.Reading;
import io.pigeon.drivers.Value;
import io.pigeon.gateway.config.DeviceConfig;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.gateway.config.Topics;
import io.pigeon.mqtt.ConnectionListener;
import io.pigeon.mqtt.FileOutbox;
import io.pigeon.mqtt.MessageHandler;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.mqtt.MqttStats;
import io.pigeon.mqtt.Outbox;
import io.pigeon.mqtt.Will;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tinylog.Logger;

/** The gateway: devices in, MQTT out, commands back, on the topics {@link Topics} lays out. */
public final class Gateway implements AutoCloseable {
    static final byte[] ONLINE = "online".getBytes(StandardCharsets.US_ASCII);
    static final byte[] OFFLINE = "offline".getBytes(StandardCharsets.US_ASCII);

    private final GatewayConfig config;
    private final Topics topics;
    private final MqttClient client;
    private final ErrorReplies errorReplies;
    /** The disk outbox, when there is one: its recovery counts go into the health report. */
    private FileOutbox fileOutbox;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ManagedDevice> units = new LinkedHashMap<>();
    /**
     * The device whose command this thread is applying (its device thread, during {@code apply}): the readings
     * that command causes are published even when unchanged, and echoed on {@code <device>/state}.
     */
    private final ThreadLocal<String> applyingCommandFor = new ThreadLocal<>();
    private final HomeAssistant discovery;
    private final long started = System.nanoTime();
    private final AtomicInteger connectCount = new AtomicInteger();
    private volatile String lostReason;
    private volatile Instant lostAt;
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile String lastAttemptFailure;
    private ScheduledFuture<?> failsafe;

    /** A configured device as the gateway runs it: supervisor, publish policy, JSON batch, fail-safe state. */
    private final class ManagedDevice {
        final DeviceConfig cfg;
        final DeviceSupervisor supervisor;
        final PublishPolicy policy;
        final Map<String, Value> jsonPending = new LinkedHashMap<>();
        ScheduledFuture<?> jsonFlush;
        volatile boolean failsafeApplied;
        volatile boolean wasOffline;

        ManagedDevice(DeviceConfig cfg) {
            this.cfg = cfg;
            this.policy = new PublishPolicy(cfg.onChange(), cfg.deadband(), cfg.heartbeat(), cfg.decimals());
            Duration interval = cfg.interval();
            this.supervisor = new DeviceSupervisor(cfg.device(), interval, cfg.timeout(), Duration.ofMillis(500),
                cfg.retryMax(), cfg.errorsBeforeOffline(), scheduler, new DeviceSupervisor.Listener() {
                    @Override
                    public void reading(Reading reading) {
                        onReading(ManagedDevice.this, reading);
                    }

                    @Override
                    public void health(Device device, Health health) {
                        onHealth(ManagedDevice.this, health);
                    }
                });
        }

        boolean acts() {
            return cfg.device().kind().acts();
        }
    }

    public Gateway(GatewayConfig config) throws IOException {
        this.config = config;
        this.topics = new Topics(config.mqtt().topicPrefix());
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "pigeon-gateway-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.scheduler = Executors.newScheduledThreadPool(2, tf);
        GatewayConfig.Mqtt m = config.mqtt();
        MqttOptions options = new MqttOptions().host(m.host()).port(m.port()).clientId(m.clientId())
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
        Outbox outbox = null;
        if (m.outboxDir() != null) {
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
            fileOutbox = f;
            outbox = f;
        }
        this.client = outbox == null ? new MqttClient(options) : new MqttClient(options, outbox);
        this.discovery = config.discoveryPrefix() == null ? null
            : new HomeAssistant(config.discoveryPrefix(), topics, m.clientId(), client);
        for (DeviceConfig d : config.devices()) {
            units.put(d.name(), new ManagedDevice(d));
        }
        this.errorReplies = new ErrorReplies(units.keySet());
    }

    public MqttClient client() {
        return client;
    }

    /** Health of a device, or null before its first open attempt. */
    public Health health(String device) {
        ManagedDevice u = units.get(device);
        return u == null ? null : u.supervisor.health();
    }

    public DeviceSupervisor supervisor(String device) {
        ManagedDevice u = units.get(device);
        return u == null ? null : u.supervisor;
    }

    /** Starts everything; returns at once, connecting and opening devices in the background. */
    public void start() {
        client.addConnectionListener(new ConnectionListener() {
            @Override
            public void connected(boolean sessionPresent) {
                onConnected();
            }

            @Override
            public void disconnected(Throwable cause) {
                onDisconnected(cause);
            }
        });
        client.subscribe(topics.allCommands(), 1, new MessageHandler() {
            @Override
            public void onMessage(String topic, byte[] payload, int qos, boolean retained) {
                onCommand(topic, payload, retained);
            }

            @Override
            public void oversized(String topic, int length, int qos, boolean retained) {
                String device = deviceOf(topic);
                scheduler.execute(Guarded.task("error reply", () -> error(device, tooLarge(length), new byte[0])));
            }
        });
        if (discovery != null) {
            client.subscribe(config.discoveryPrefix() + "/status", 1, (t, p, q, retained) -> {
                // Only a live "online" is news (HA restarted); the retained one arrives at every subscribe.
                if (!retained && "online".equals(new String(p, StandardCharsets.UTF_8).trim())) {
                    scheduler.execute(Guarded.task("discovery", discovery::announceAll));
                }
            });
        }
        client.start();
        armFailsafe(); // until the first connection, the broker counts as unreachable
        for (ManagedDevice u : units.values()) {
            u.supervisor.start();
        }
        long health = config.healthInterval().toMillis();
        scheduler.scheduleAtFixedRate(Guarded.task("health", this::publishHealth), health, health,
            TimeUnit.MILLISECONDS);
        scheduler.scheduleAtFixedRate(Guarded.task("heartbeats", this::heartbeats), 1, 1, TimeUnit.SECONDS);
        Logger.info("gateway started: {} device(s), topics under {}/, broker {}:{}", units.size(), topics.root(),
            config.mqtt().host(), config.mqtt().port());
        Logger.info("platform: {}", config.hardware().describe());
        if (config.hardware().fellBack()) {
            Logger.warn("platform auto: this is not a Raspberry Pi, so GPIO, I2C and PWM are SIMULATED (Pi4J's mock): "
                + "relays switch nothing and inputs read nothing. Set 'platform: raspberrypi' to refuse to start "
                + "off a Pi instead");
        }
    }

    // ---------------------------------------------------------------- MQTT side

    private void onConnected() {
        int n = connectCount.incrementAndGet();
        connected = true;
        Logger.info("connected to {}:{} as '{}'", config.mqtt().host(), config.mqtt().port(), config.mqtt().clientId());
        cancelFailsafe();
        client.publish(topics.availability(), ONLINE, 1, true);
        for (ManagedDevice u : units.values()) {
            Health h = u.supervisor.health();
            if (h != null) {
                client.publish(topics.availability(u.cfg.name()), h.online() ? ONLINE : OFFLINE, 1, true);
            }
        }
        if (n > 1 && lostAt != null) {
            alert(new Json().put("gateway", config.mqtt().clientId()).put("event", "reconnected")
                .put("reason", lostReason).put("since", lostAt.truncatedTo(ChronoUnit.SECONDS).toString()));
            lostAt = null;
        }
    }

    private void onDisconnected(Throwable cause) {
        if (closed) {
            return;
        }
        String reason = MqttClient.describe(cause);
        if (connected) {
            Logger.warn("connection to {}:{} lost: {}", config.mqtt().host(), config.mqtt().port(), reason);
        } else if (!reason.equals(lastAttemptFailure)) {
            // The first failure, and every new kind of failure, is worth a line; retries are not.
            Logger.warn("cannot connect to {}:{}: {}", config.mqtt().host(), config.mqtt().port(), reason);
        }
        lastAttemptFailure = connected ? null : reason;
        connected = false;
        if (lostAt == null && connectCount.get() > 0) {
            lostAt = Instant.now();
            lostReason = cause == null ? "connection closed" : String.valueOf(cause.getMessage());
        }
        armFailsafe();
    }

    private synchronized void armFailsafe() {
        if (failsafe != null || closed) {
            return;
        }
        Duration shortest = null;
        for (ManagedDevice u : units.values()) {
            Duration f = u.cfg.failsafeAfter();
            if (f != null && (shortest == null || f.compareTo(shortest) < 0)) {
                shortest = f;
            }
        }
        if (shortest == null) {
            return;
        }
        long armedAt = System.nanoTime();
        failsafe = scheduler.scheduleAtFixedRate(Guarded.task("fail-safe", () -> {
            long away = System.nanoTime() - armedAt;
            for (ManagedDevice u : units.values()) {
                Duration f = u.cfg.failsafeAfter();
                if (f != null && away >= f.toNanos() && !u.failsafeApplied) {
                    u.failsafeApplied = true;
                    Logger.warn("broker unreachable for {}: device '{}' goes to its safe state",
                        DeviceSupervisor.human(f), u.cfg.name());
                    u.supervisor.applySafeState();
                }
            }
        }), 100, 100, TimeUnit.MILLISECONDS);
    }

    private synchronized void cancelFailsafe() {
        if (failsafe != null) {
            failsafe.cancel(false);
            failsafe = null;
        }
        units.values().forEach(u -> u.failsafeApplied = false);
    }

    private String deviceOf(String topic) {
        return topics.deviceOfCommand(topic);
    }

    private String tooLarge(int bytes) {
        return "too large: " + bytes + " bytes, limit " + config.maxCommandBytes();
    }

    private void onCommand(String topic, byte[] payload, boolean retained) {
        String device = deviceOf(topic);
        if (payload.length > config.maxCommandBytes()) {
            scheduler.execute(Guarded.task("error reply", () -> error(device, tooLarge(payload.length), payload)));
            return;
        }
        if (retained) {
            // A retained command would fire again at every restart of the gateway.
            if (payload.length > 0) {
                error(device, "retained command ignored: commands must not be retained (clear it with an empty "
                    + "retained message)", payload);
            }
            return;
        }
        scheduler.execute(Guarded.task("command", () -> command(device, payload)));
    }

    private void command(String device, byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        ManagedDevice u = units.get(device);
        if (u == null) {
            error(device, "no device '" + device + "'", payload);
            return;
        }
        if (!u.acts()) {
            error(device, "device '" + device + "' is not an actuator", payload);
            return;
        }
        Command command;
        try {
            command = CommandParser.parse(text);
        } catch (CommandParser.BadCommand e) {
            error(device, e.getMessage(), payload);
            return;
        }
        // On the device's own thread: a device busy with a slow read delays only its own commands.
        boolean queued = u.supervisor.execute(() -> {
            applyingCommandFor.set(device);
            try {
                u.supervisor.apply(command);
                Logger.info("device '{}': {}", device, Logs.escape(text.trim()));
            } catch (DeviceException | RuntimeException e) {
                error(device, e.getMessage(), payload);
            } finally {
                applyingCommandFor.remove();
            }
        });
        if (!queued) {
            error(device, "device '" + device + "' is busy: too many commands waiting", payload);
        }
    }

    /**
     * Answers a refused command on {@code <root>/<device>/error} (see {@link ErrorReplies}: short, QoS 0, at most
     * a few a second) and says so in the log, escaped; a refusal over the allowance is only counted.
     */
    private void error(String device, String message, byte[] payload) {
        String reply = errorReplies.reply(device, message, payload, System.nanoTime());
        if (reply == null) {
            return;
        }
        Logger.warn("command for '{}' refused: {}", Logs.escape(device), Logs.escape(message));
        if (client.isConnected()) {
            publish(topics.error(device), reply.getBytes(StandardCharsets.UTF_8), 0, false);
        }
    }

    private void alert(Json json) {
        json.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        publish(topics.alerts(), json.toString().getBytes(StandardCharsets.UTF_8), 1, false);
    }

    /** Publishes, logging (not throwing) when the topic is unusable. */
    private void publish(String topic, byte[] payload, int qos, boolean retain) {
        try {
            client.publish(topic, payload, qos, retain);
        } catch (IllegalArgumentException | IllegalStateException e) {
            Logger.warn("cannot publish to '{}': {}", topic, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- device side

    private void onHealth(ManagedDevice u, Health h) {
        String name = u.cfg.name();
        publish(topics.availability(name), h.online() ? ONLINE : OFFLINE, 1, true);
        // The first "online" after start is not news; every later change is.
        if (!h.online() || u.wasOffline) {
            alert(new Json().put("device", name).put("availability", h.online() ? "online" : "offline")
                .put("reason", h.online() ? "" : h.reason()));
        }
        u.wasOffline = !h.online();
    }

    private void onReading(ManagedDevice u, Reading r) {
        Value v = u.policy.admit(r.name(), r.value(), System.nanoTime());
        boolean echoed = u.cfg.name().equals(applyingCommandFor.get());
        if (v == null && !echoed) {
            return;
        }
        if (v == null) {
            v = r.value();
        }
        publishReading(u, r.name(), v);
        if (echoed && !r.name().equals("state")) {
            publish(topics.state(u.cfg.name()), v.text().getBytes(StandardCharsets.UTF_8), 1, true);
        }
        if (discovery != null) {
            discovery.seen(u.cfg, r.name(), v);
        }
    }

    private void publishReading(ManagedDevice u, String name, Value v) {
        boolean retain = u.cfg.retain() || u.acts();
        if (!u.cfg.jsonPayload()) {
            publish(topics.reading(u.cfg.name(), name), v.text().getBytes(StandardCharsets.UTF_8), u.cfg.qos(), retain);
            return;
        }
        // A poll yields several readings at once: gather them into one object.
        synchronized (u.jsonPending) {
            u.jsonPending.put(name, v);
            if (u.jsonFlush == null) {
                u.jsonFlush = scheduler.schedule(Guarded.task("json payload", () -> flushJson(u, retain)), 20,
                    TimeUnit.MILLISECONDS);
            }
        }
    }

    private void flushJson(ManagedDevice u, boolean retain) {
        Json json = new Json();
        synchronized (u.jsonPending) {
            u.jsonPending.forEach(json::put);
            u.jsonPending.clear();
            u.jsonFlush = null;
        }
        json.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        publish(topics.device(u.cfg.name()), json.toString().getBytes(StandardCharsets.UTF_8), u.cfg.qos(), retain);
    }

    private void heartbeats() {
        long now = System.nanoTime();
        for (ManagedDevice u : units.values()) {
            u.policy.due(now).forEach((name, v) -> {
                u.policy.admit(name, v, now);
                publishReading(u, name, v);
            });
        }
    }

    /** The health report: also what {@code <root>/health} carries. */
    public String healthJson() {
        MqttStats s = client.stats();
        Json devices = new Json();
        for (ManagedDevice u : units.values()) {
            Health h = u.supervisor.health();
            devices.raw(u.cfg.name(), new Json().put("availability", h != null && h.online() ? "online" : "offline")
                .put("reason", h == null ? "starting" : h.reason())
                .raw("errors", new Json().putAll(u.supervisor.counters()).toString()).toString());
        }
        Runtime rt = Runtime.getRuntime();
        return new Json()
            .put("uptime_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
            .put("platform", config.hardware().name())
            .put("heap_used", rt.totalMemory() - rt.freeMemory())

            .put("threads", ManagementFactory.getThreadMXBean().getThreadCount())
            .put("connected", client.isConnected())
            .put("outbox", s.buffered())
            .put("published", s.sentQos0() + s.acknowledged())
            .put("dropped", dropped(s))
            .put("quarantined", s.quarantined())
            .put("outbox_damaged", fileOutbox == null ? 0 : fileOutbox.damagedRecords())
            .put("outbox_state", outboxState())
            .put("oversized_received", s.oversized())
            .put("reconnects", Math.max(0, s.connects() - 1))
            .raw("devices", devices.toString())
            .toString();
    }

    private void publishHealth() {
        try {
            MqttStats s = client.stats();
            long dropped = dropped(s);
            if (dropped > lastDropped) {
                alert(new Json().put("gateway", config.mqtt().clientId()).put("event", "outbox_full")
                    .put("dropped", dropped - lastDropped));
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
            publish(topics.health(), healthJson().getBytes(StandardCharsets.UTF_8), 0, false);
        } catch (RuntimeException e) {
            Logger.warn(e, "health report failed");
        }
    }

    private volatile long lastDropped;
    private volatile String lastOutboxState = "ok";

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

    /**
     * Clean shutdown: actuators to their safe state, devices and gateway {@code offline}, then DISCONNECT
     * (which makes the broker drop the will: the gateway said it itself).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancelFailsafe();
        // All at once: a device stuck in a read delays its own stop, not the others' safe states.
        units.values().forEach(u -> u.supervisor.requestStop());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        units.values().forEach(u -> u.supervisor.awaitStop(deadline));
        for (ManagedDevice u : units.values()) {
            publish(topics.availability(u.cfg.name()), OFFLINE, 1, true);
        }
        publish(topics.availability(), OFFLINE, 1, true);
        try {
            if (client.isConnected() && !client.flush(Duration.ofSeconds(2))) {
                Logger.warn("{} message(s) not acknowledged at shutdown", client.pending());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
        scheduler.shutdownNow();
        Logger.info("gateway stopped");
    }
}
