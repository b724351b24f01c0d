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
import io.pigeon.gateway.json.IsoTime;
import io.pigeon.gateway.json.Json;
import io.pigeon.gateway.json.Logs;
import io.pigeon.gateway.web.StatusBoard;
import io.pigeon.gateway.web.StatusServer;
import io.pigeon.mqtt.ConnectionListener;
import io.pigeon.mqtt.FileOutbox;
import io.pigeon.mqtt.MessageHandler;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.Topic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/** The gateway: devices in, MQTT out, commands back, on the topics {@link Topics} lays out. */
public final class Gateway implements AutoCloseable {
    private static final byte[] ONLINE = MqttSetup.ONLINE;
    private static final byte[] OFFLINE = MqttSetup.OFFLINE;

    private final GatewayConfig config;
    private final Topics topics;
    private final MqttClient client;
    private final ErrorReplies errorReplies;
    private final ScheduledExecutorService scheduler;
    private final Map<String, ManagedDevice> units = new LinkedHashMap<>();
    /**
     * The device whose command this thread is applying (its device thread, during {@code apply}): the readings
     * that command causes are published even when unchanged, and echoed on {@code <device>/state}.
     */
    private final ThreadLocal<String> applyingCommandFor = new ThreadLocal<>();
    private final @Nullable HomeAssistant discovery;
    private final AtomicInteger connectCount = new AtomicInteger();
    private volatile String lostReason;
    private volatile long lostAt; // epoch ms; 0 while connected (or never connected)
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile @Nullable String lastAttemptFailure;
    private final Failsafe failsafe;
    /** The fixed-rate tasks (health, heartbeats, the page's pushes); only {@link #start} adds to it. */
    private final List<ScheduledFuture<?>> periodic = new ArrayList<>();
    private final HealthReport report;
    /** The status page's model and server, when the config has {@code web:}; null otherwise. */
    private final @Nullable StatusBoard board;
    private StatusServer web;

    /** A configured device as the gateway runs it: supervisor, publish policy, JSON batch. */
    private final class ManagedDevice {
        final DeviceConfig cfg;
        final DeviceSupervisor supervisor;
        final PublishPolicy policy;
        final Map<String, Value> jsonPending = new LinkedHashMap<>();
        /** Each reading's topic, checked and encoded once; as bounded as the names a supervisor lets through. */
        final Map<String, Topic> readingTopics = new ConcurrentHashMap<>();
        @Nullable ScheduledFuture<?> jsonFlush;
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

        /** Called from the device's thread and the heartbeats' both. */
        Topic readingTopic(String reading) {
            Topic t = readingTopics.get(reading);
            if (t == null) {
                t = Topic.of(topics.reading(cfg.name(), reading));
                readingTopics.put(reading, t);
            }
            return t;
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
        FileOutbox fileOutbox = MqttSetup.outbox(config.mqtt());
        this.client = MqttSetup.client(config, topics, fileOutbox);
        this.discovery = config.discoveryPrefix() == null ? null
            : new HomeAssistant(config.discoveryPrefix(), topics, config.mqtt().clientId(), client);
        for (DeviceConfig d : config.devices()) {
            units.put(d.name(), new ManagedDevice(d));
        }
        this.errorReplies = new ErrorReplies(units.keySet());
        List<Failsafe.Target> safe = new ArrayList<>();
        Map<String, DeviceSupervisor> supervisors = new LinkedHashMap<>();
        for (ManagedDevice u : units.values()) {
            supervisors.put(u.cfg.name(), u.supervisor);
            if (u.cfg.failsafeAfter() != null) {
                safe.add(new Failsafe.Target(u.cfg.name(), u.cfg.failsafeAfter(), u.supervisor));
            }
        }
        this.failsafe = new Failsafe(safe, scheduler);
        this.report = new HealthReport(config, client, fileOutbox, supervisors);
        this.board = config.web() == null ? null : new StatusBoard(config.devices(), this::statusJson);
        if (board != null) {
            try {
                web = new StatusServer(config.web(), board);
            } catch (IOException | RuntimeException e) {
                // The page is a window on the gateway, not its job: without it the gateway still runs.
                Logger.error("web: cannot listen on {}: {}; running without the status page", config.web(),
                    e.getMessage());
            }
        }
    }

    /** The gateway's version, from the jar. */
    public static String version() {
        return Version.VALUE;
    }

    /** Read from the jar once, at the first call: the status page asks for it every few seconds. */
    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            try (java.io.InputStream in = Gateway.class.getResourceAsStream("/pigeon-version.properties")) {
                java.util.Properties p = new java.util.Properties();
                if (in != null) {
                    p.load(in);
                }
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }

    /** Where the status page listens, or null when there is none. */
    public @Nullable InetSocketAddress webAddress() {
        return web == null ? null : web.address();
    }

    public MqttClient client() {
        return client;
    }

    /** Health of a device, or null before its first open attempt. */
    public @Nullable Health health(String device) {
        ManagedDevice u = units.get(device);
        return u == null ? null : u.supervisor.health();
    }

    public @Nullable DeviceSupervisor supervisor(String device) {
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
        warnIfRefused(client.subscribe(topics.allCommands(), 1, new MessageHandler() {
            @Override
            public void onMessage(String topic, byte[] payload, int qos, boolean retained) {
                onCommand(topic, payload, retained);
            }

            @Override
            public void oversized(String topic, int length, int qos, boolean retained) {
                String device = deviceOf(topic);
                scheduler.execute(Guarded.task("error reply", () -> error(device, tooLarge(length), new byte[0])));
            }
        }), "commands for the actuators will not arrive");
        if (discovery != null) {
            warnIfRefused(client.subscribe(config.discoveryPrefix() + "/status", 1, (t, p, q, retained) -> {
                // Only a live "online" is news (HA restarted); the retained one arrives at every subscribe.
                if (!retained && "online".equals(new String(p, StandardCharsets.UTF_8).trim())) {
                    scheduler.execute(Guarded.task("discovery", discovery::announceAll));
                }
            }), "a restarted Home Assistant will not be told the devices again");
        }
        client.start();
        failsafe.arm(); // until the first connection, the broker counts as unreachable
        for (ManagedDevice u : units.values()) {
            u.supervisor.start();
        }
        every(config.healthInterval().toMillis(), "health", this::publishHealth);
        every(1000, "heartbeats", this::heartbeats);
        if (web != null) {
            web.start();
            every(500, "web readings", board::pushReadings);
            every(5000, "web status", board::pushStatus);
            Logger.info("status page on http://{}:{}/", config.web().host(), web.address().getPort());
        }
        Logger.info("gateway started: {} device(s), topics under {}/, broker {}:{}", units.size(), topics.root(),
            config.mqtt().host(), config.mqtt().port());
        Logger.info("platform: {}", config.hardware().describe());
        if (config.hardware().fellBack()) {
            Logger.warn("platform auto: this is not a Raspberry Pi, so GPIO, I2C and PWM are SIMULATED (Pi4J's mock): "
                + "relays switch nothing and inputs read nothing. Set 'platform: raspberrypi' to refuse to start "
                + "off a Pi instead");
        }
    }

    /** A periodic task on the gateway's scheduler, guarded; cancelled at {@link #close}. */
    private void every(long millis, String kind, Runnable task) {
        periodic.add(scheduler.scheduleAtFixedRate(Guarded.task(kind, task), millis, millis, TimeUnit.MILLISECONDS));
    }

    /** A refused subscription is logged by the client; this says what it costs. */
    @SuppressWarnings("FutureReturnValueIgnored") // the callback's own future: nothing waits for a log line
    private static void warnIfRefused(CompletableFuture<Integer> subscription, String consequence) {
        subscription.whenComplete((granted, e) -> {
            if (e != null && !(e instanceof IllegalStateException)) {
                Logger.error("{}: {} (check the broker's access rules for this client)", e.getMessage(), consequence);
            }
        });
    }

    // ---------------------------------------------------------------- MQTT side

    private void onConnected() {
        int n = connectCount.incrementAndGet();
        connected = true;
        if (board != null) {
            board.connection(true, "");
        }
        Logger.info("connected to {}:{} as '{}'", config.mqtt().host(), config.mqtt().port(), config.mqtt().clientId());
        failsafe.cancel();
        client.publish(topics.availability(), ONLINE, 1, true);
        for (ManagedDevice u : units.values()) {
            Health h = u.supervisor.health();
            if (h != null) {
                client.publish(topics.availability(u.cfg.name()), h.online() ? ONLINE : OFFLINE, 1, true);
            }
        }
        if (n > 1 && lostAt != 0) {
            alert(new Json().put("gateway", config.mqtt().clientId()).put("event", "reconnected")
                .put("reason", lostReason).put("since", IsoTime.seconds(lostAt)));
            lostAt = 0;
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
        if (board != null) {
            board.connection(false, reason);
        }
        if (lostAt == 0 && connectCount.get() > 0) {
            lostAt = System.currentTimeMillis();
            lostReason = cause == null ? "connection closed" : String.valueOf(cause.getMessage());
        }
        failsafe.arm();
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
        if (board != null) {
            board.alert(new Json().put("device", device).put("event", "command_refused").put("reason", message)
                .put("time", IsoTime.seconds(System.currentTimeMillis())).toString());
        }
        if (client.isConnected()) {
            publish(topics.error(device), reply.getBytes(StandardCharsets.UTF_8), 0, false);
        }
    }

    private void alert(Json json) {
        json.put("time", IsoTime.seconds(System.currentTimeMillis()));
        String text = json.toString();
        publish(topics.alerts(), text.getBytes(StandardCharsets.UTF_8), 1, false);
        if (board != null) {
            board.alert(text);
        }
    }

    /** Publishes, logging (not throwing) when the topic is unusable. */
    private void publish(String topic, byte[] payload, int qos, boolean retain) {
        try {
            client.publish(topic, payload, qos, retain);
        } catch (IllegalArgumentException | IllegalStateException e) {
            cannotPublish(topic, e);
        }
    }

    private static void cannotPublish(String topic, RuntimeException e) {
        Logger.warn("cannot publish to '{}': {}", topic, e.getMessage());
    }

    // ---------------------------------------------------------------- device side

    private void onHealth(ManagedDevice u, Health h) {
        String name = u.cfg.name();
        publish(topics.availability(name), h.online() ? ONLINE : OFFLINE, 1, true);
        if (board != null) {
            board.availability(name, h.online(), h.reason());
        }
        // The first "online" after start is not news; every later change is.
        if (!h.online() || u.wasOffline) {
            alert(new Json().put("device", name).put("availability", h.online() ? "online" : "offline")
                .put("reason", h.online() ? "" : h.reason()));
        }
        u.wasOffline = !h.online();
    }

    private void onReading(ManagedDevice u, Reading r) {
        if (board != null) {
            board.reading(u.cfg.name(), r.name(), r.value(), r.time().toEpochMilli());
        }
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
            byte[] payload = v.text().getBytes(StandardCharsets.UTF_8);
            try {
                client.publish(u.readingTopic(name), payload, 0, payload.length, u.cfg.qos(), retain);
            } catch (IllegalArgumentException | IllegalStateException e) {
                cannotPublish(topics.reading(u.cfg.name(), name), e);
            }
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
        json.put("time", IsoTime.millis(System.currentTimeMillis()));
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
        return report.json();
    }

    /** The status page's {@code /api/status}: the gateway, its broker and its counters; no secret. */
    public String statusJson() {
        GatewayConfig.Mqtt m = config.mqtt();
        return report.counters(new Json()
            .put("version", version())
            .put("time", IsoTime.millis(System.currentTimeMillis()))
            .put("client_id", m.clientId())
            .put("topic_prefix", topics.root())
            .put("platform", config.hardware().describe())
            .put("broker", m.host() + ":" + m.port())
            .put("tls", m.tls())
            .raw("connection", board.connectionJson())
            .put("uptime_s", report.uptimeSeconds())
            .put("devices", units.size())
            .put("devices_online", report.online()))
            .raw("web", board.webJson())
            .toString();
    }

    private void publishHealth() {
        Json alert = report.changes();
        if (alert != null) {
            alert(alert);
        }
        publish(topics.health(), report.json().getBytes(StandardCharsets.UTF_8), 0, false);
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
        if (web != null) {
            web.close();
        }
        failsafe.stop();
        periodic.forEach(f -> f.cancel(false));
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
