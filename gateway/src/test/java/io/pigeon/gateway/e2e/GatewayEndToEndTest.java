package io.pigeon.gateway.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.gpio.GpioOutput;
import io.pigeon.drivers.sim.Pty;
import io.pigeon.gateway.bridge.Gateway;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.mqtt.MqttClient;
import io.pigeon.mqtt.MqttOptions;
import io.pigeon.testing.Await;
import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Closer;
import io.pigeon.testing.Collector;
import io.pigeon.testing.EachBroker;
import io.pigeon.testing.FaultProxy;
import io.pigeon.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * The gateway in this JVM against a real broker, a serial sensor on a pty (openpty) and GPIO on Pi4J's mock
 * platform, checked by an independent MQTT client.
 */
class GatewayEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Closer closer = new Closer();
    private final Pi4jPlatform platform = Pi4jPlatform.of("mock");


    @AfterEach
    void closeAll() throws Exception {
        closer.close();
        platform.close();
    }

    static String config(String host, int port, String tty, String extra) {
        return """
            mqtt:
              host: %s
              port: %d
              client_id: pigeon-e2e
              keepalive: 5
              topic_prefix: pigeon/e2e
            platform: mock
            health: {interval: 1s}
            homeassistant: {discovery_prefix: homeassistant}
            devices:
              - name: climate
                driver: serial-line
                port: %s
                parse: kv
                units: ["temperature=°C", "humidity=%%"]
                qos: 1
                timeout: 30s
              - name: relay
                driver: gpio-out
                pin: 27
                initial: "OFF"
                safe_state: "OFF"
            %s""".formatted(host, port, tty, extra);
    }

    private Gateway gateway(String yaml) throws Exception {
        GatewayConfig cfg = new ConfigLoader(Map.of(), platform).parse(Path.of("e2e.yaml"), yaml);
        Gateway g = closer.track(new Gateway(cfg));
        g.start();
        return g;
    }

    private final java.util.IdentityHashMap<Collector, List<Collector.Message>> backlog = new java.util.IdentityHashMap<>();

    /** The next message on a topic, in arrival order per topic: others are kept for later calls. */
    private Collector.Message next(Collector got, String topic) throws InterruptedException {
        List<Collector.Message> kept = backlog.computeIfAbsent(got, k -> new ArrayList<>());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (int i = 0; i < kept.size(); i++) {
                if (kept.get(i).topic().equals(topic)) {
                    return kept.remove(i);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing on " + topic + " within " + WAIT);
            }
            Collector.Message m = got.poll(Duration.ofMillis(100));
            if (m != null) {
                kept.add(m);
            }
        }
    }

    private MqttClient commander(TestBroker broker) throws Exception {
        MqttClient c = closer.track(new MqttClient(MqttOptions.builder().host(broker.host()).port(broker.port())
            .clientId("cmd-" + System.nanoTime())));
        c.connect(WAIT);
        return c;
    }

    @EachBroker
    void readingsAvailabilityHealthAndDiscoveryArriveOnTheDocumentedTopics(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        Collector ha = Collector.watch(broker, closer, "homeassistant/#");
        gateway(config(broker.host(), broker.port(), pty.device(), """
              - name: air
                driver: serial-line
                port: %s
                payload: json
            """.formatted(pty.device() + "x")));
        assertEquals("online", next(got, "pigeon/e2e/availability").payload());
        assertEquals("online", next(got, "pigeon/e2e/climate/availability").payload());
        assertEquals("OFF", next(got, "pigeon/e2e/relay/state").payload());
        pty.write("\ntemperature=21.5 humidity=40.2\n");
        assertEquals("21.5", next(got, "pigeon/e2e/climate/temperature").payload());
        assertEquals("40.2", next(got, "pigeon/e2e/climate/humidity").payload());
        // the device whose port does not exist is offline, with an alert saying why
        Collector.Message alert = next(got, "pigeon/e2e/alerts");
        assertTrue(alert.payload().contains("\"device\":\"air\"") && alert.payload().contains("not found"), alert.payload());
        String health = next(got, "pigeon/e2e/health").payload();
        assertTrue(health.contains("\"uptime_s\":") && health.contains("\"outbox\":") && health.contains("\"climate\":")
            && health.contains("\"platform\":\"mock\""), health);
        Collector.Message config = next(ha, "homeassistant/sensor/pigeon-e2e/climate_temperature/config");
        assertTrue(config.payload().contains("\"state_topic\":\"pigeon/e2e/climate/temperature\""), config.payload());
        assertTrue(config.payload().contains("\"availability_mode\":\"all\""), config.payload());
    }

    @EachBroker
    void commandsDriveTheOutputAndBadOnesAreAnsweredWithoutEffect(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        Gateway g = gateway(config(broker.host(), broker.port(), pty.device(), ""));
        next(got, "pigeon/e2e/availability");
        Await.until(WAIT, () -> g.health("relay") != null && g.health("relay").online(), () -> "relay online");
        GpioOutput relay = (GpioOutput) g.supervisor("relay").device();
        MqttClient cmd = commander(broker);
        cmd.publish("pigeon/e2e/relay/set", "ON".getBytes(UTF_8), 1, false);
        Collector.Message state;
        do {
            state = next(got, "pigeon/e2e/relay/state");
        } while (!state.payload().equals("ON"));
        assertTrue(relay.state());
        assertTrue(relay.output().isHigh(), "the mock pin is high");

        cmd.publish("pigeon/e2e/relay/set", "BANANA".getBytes(UTF_8), 1, false);
        Collector.Message err = next(got, "pigeon/e2e/relay/error");
        assertEquals("{\"error\":\"unknown command: expected ON, OFF, TOGGLE, a number or a JSON object\",\"payload\":\"BANANA\","
            + "\"payload_bytes\":6}", err.payload());
        assertFalse(err.retained());
        cmd.publish("pigeon/e2e/relay/set", "{\"duty\": 50}".getBytes(UTF_8), 1, false);
        assertTrue(next(got, "pigeon/e2e/relay/error").payload().contains("takes ON, OFF, TOGGLE or a pulse"));
        cmd.publish("pigeon/e2e/climate/set", "ON".getBytes(UTF_8), 1, false);
        assertTrue(next(got, "pigeon/e2e/climate/error").payload().contains("is not an actuator"));
        cmd.publish("pigeon/e2e/nosuch/set", "ON".getBytes(UTF_8), 1, false);
        assertTrue(next(got, "pigeon/e2e/nosuch/error").payload().contains("no device 'nosuch'"));
        // Strict JSON: before, the regular expression found "state":"OFF" in this and switched the relay.
        cmd.publish("pigeon/e2e/relay/set", "{garbage \"state\":\"OFF\" garbage}".getBytes(UTF_8), 1, false);
        assertTrue(next(got, "pigeon/e2e/relay/error").payload().contains("malformed JSON: a key (a string) is expected"));
        cmd.publish("pigeon/e2e/relay/set", "{\"state\":\"ON\",\"state\":\"OFF\"}".getBytes(UTF_8), 1, false);
        assertTrue(next(got, "pigeon/e2e/relay/error").payload().contains("duplicate key"));
        assertTrue(relay.state(), "bad commands changed nothing");

        cmd.publish("pigeon/e2e/relay/set", "{\"state\":\"OFF\",\"for_ms\":300}".getBytes(UTF_8), 1, false);
        assertEquals("OFF", next(got, "pigeon/e2e/relay/state").payload());
        assertEquals("ON", next(got, "pigeon/e2e/relay/state").payload(), "back ON after the pulse");
    }

    @EachBroker
    void hostileCommandsGetShortRepliesAndNeverCutTheGatewayOff(BrokerKind kind) throws Exception {
        TestBroker broker = closer.track(kind.start());
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        Gateway g = gateway(config(broker.host(), broker.port(), pty.device(), "max_command_bytes: 4096\n"));
        next(got, "pigeon/e2e/availability");
        Await.until(WAIT, () -> g.health("relay") != null && g.health("relay").online(), () -> "relay online");
        MqttClient cmd = commander(broker);

        // A long bad command: the reply quotes 256 bytes and says how long it was (Moquette's limit is 8 KB).
        byte[] garbage = ("{garbage " + "x".repeat(3000) + "}").getBytes(UTF_8);
        cmd.publish("pigeon/e2e/relay/set", garbage, 0, false);
        Collector.Message err = next(got, "pigeon/e2e/relay/error");
        assertTrue(err.payload().contains("\"payload_bytes\":" + garbage.length), err.payload());
        assertTrue(err.payload().length() < 600, "a short reply: " + err.payload().length() + " bytes");
        assertEquals(0, err.qos(), "error replies are QoS 0");

        // Over max_command_bytes: refused as too large.
        cmd.publish("pigeon/e2e/relay/set", new byte[6000], 0, false);
        assertTrue(next(got, "pigeon/e2e/relay/error").payload().contains("too large: 6000 bytes, limit 4096"));

        if (kind == BrokerKind.MOSQUITTO) {
            // Larger than the client holds at all: skipped unread, answered, and the connection stays up, also
            // for a retained one (which would otherwise come back at every reconnect).
            cmd.publish("pigeon/e2e/relay/set", new byte[200_000], 0, false);
            assertTrue(next(got, "pigeon/e2e/relay/error").payload().contains("too large: 2000"));
            cmd.publish("pigeon/e2e/relay/set", new byte[200_000], 1, true);
            assertTrue(next(got, "pigeon/e2e/relay/error").payload().contains("too large: 2000"));
            cmd.publish("pigeon/e2e/relay/set", new byte[0], 1, true); // clear it
        }

        // A flood of refused commands: a few replies a second per device, the rest summed up in the next one.
        for (int i = 0; i < 300; i++) {
            cmd.publish("pigeon/e2e/relay/set", "BANANA".getBytes(UTF_8), 0, false);
            cmd.publish("pigeon/e2e/nosuch" + i + "/set", "ON".getBytes(UTF_8), 0, false);
        }
        Thread.sleep(1500);
        int replies = 0;
        Collector.Message m;
        while ((m = got.poll(java.time.Duration.ofMillis(200))) != null) {
            if (m.topic().endsWith("/error")) {
                replies++;
            }
        }
        backlog.clear();
        // at most 5 a second for the relay and 5 for all unknown names together, over the 2-3 s of the flood
        assertTrue(replies <= 30, "replies to 600 refused commands: " + replies);
        cmd.publish("pigeon/e2e/relay/set", "BANANA".getBytes(UTF_8), 0, false);
        String summary = next(got, "pigeon/e2e/relay/error").payload();
        assertTrue(summary.contains("\"suppressed\":"), summary);

        // Still connected and obeying.
        cmd.publish("pigeon/e2e/relay/set", "ON".getBytes(UTF_8), 1, false);
        Collector.Message state;
        do {
            state = next(got, "pigeon/e2e/relay/state");
        } while (!state.payload().equals("ON"));
        assertEquals(0, g.client().stats().protocolErrors());
        assertEquals(1, g.client().stats().connects(), "never cut off");
    }

    /**
     * The incident of issue #10: a link that stops carrying data (here a proxy that stops reading) while readings
     * flow. The relay still goes to its safe state on time, and the gateway goes on reading.
     */
    @EachBroker
    void aFrozenLinkStillLetsTheFailsafeActOnTime(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Pty pty = closer.track(Pty.temporary());
        Gateway g = gateway(config("127.0.0.1", proxy.port(), pty.device(), "").replace("keepalive: 5", "keepalive: 2")
            .replace("safe_state: \"OFF\"", "safe_state: \"OFF\"\n    failsafe_after: 2s")
            .replace("initial: \"OFF\"", "initial: \"ON\""));
        Await.until(WAIT, () -> g.client().isConnected(), () -> "connected");
        Await.until(WAIT, () -> g.health("relay") != null && g.health("relay").online(), () -> "relay online");
        GpioOutput relay = (GpioOutput) g.supervisor("relay").device();
        commander(broker).publish("pigeon/e2e/relay/set", "ON".getBytes(UTF_8), 1, false);
        Await.until(WAIT, relay::state, () -> "relay ON");
        proxy.stall();
        long frozenAt = System.nanoTime();
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            burst.append("temperature=").append(i).append(" note=").append("z".repeat(100)).append('\n');
        }
        pty.write(burst.toString());
        // lost after 1.5 keep-alives (3 s), then failsafe_after 2 s: well within 10 s
        Await.until(Duration.ofSeconds(10), () -> !relay.state(), () -> "failsafe: the relay goes OFF");
        long ms = (System.nanoTime() - frozenAt) / 1_000_000;
        assertTrue(ms < 8000, "safe state after " + ms + " ms");
        pty.write("temperature=99\n");
        Await.until(WAIT, () -> g.health("climate").online(), () -> "still reading");
    }

    @EachBroker
    void unpluggedSerialDeviceGoesOfflineWithAnAlertAndComesBack(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        Gateway g = gateway(config(broker.host(), broker.port(), pty.device(), ""));
        Await.until(WAIT, () -> g.health("climate") != null && g.health("climate").online(), () -> "online");
        next(got, "pigeon/e2e/availability");
        long t0 = System.nanoTime();
        pty.unplug();
        Collector.Message offline;
        do {
            offline = next(got, "pigeon/e2e/climate/availability");
        } while (!offline.payload().equals("offline"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2000, "offline after " + ms + " ms");
        String alert = next(got, "pigeon/e2e/alerts").payload();
        assertTrue(alert.contains("\"availability\":\"offline\"") && alert.contains("disappeared"), alert);
        pty.plugIn();
        Collector.Message online;
        do {
            online = next(got, "pigeon/e2e/climate/availability");
        } while (!online.payload().equals("online"));
        assertTrue(next(got, "pigeon/e2e/alerts").payload().contains("\"availability\":\"online\""));
        pty.write("\ntemperature=19\n");
        assertEquals("19", next(got, "pigeon/e2e/climate/temperature").payload());
    }

    @EachBroker
    void cleanShutdownAppliesSafeStateAndSaysOffline(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        Gateway g = gateway(config(broker.host(), broker.port(), pty.device(), ""));
        Await.until(WAIT, () -> g.health("relay") != null && g.health("relay").online(), () -> "online");
        // "online" comes after the gateway's SUBSCRIBE to the command topics: from then on a command reaches it.
        next(got, "pigeon/e2e/availability");
        commander(broker).publish("pigeon/e2e/relay/set", "ON".getBytes(UTF_8), 1, false);
        GpioOutput relay = (GpioOutput) g.supervisor("relay").device();
        Await.until(WAIT, relay::state, () -> "relay on");
        long t0 = System.nanoTime();
        g.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "stopped within 5 s");
        assertFalse(relay.state(), "safe state applied");
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < deadline) {
            Collector.Message m = got.poll(Duration.ofMillis(100));
            if (m != null) {
                seen.add(m.topic() + " " + m.payload());
            }
        }
        int relayOff = seen.lastIndexOf("pigeon/e2e/relay/state OFF");
        int deviceOffline = seen.indexOf("pigeon/e2e/relay/availability offline");
        int gatewayOffline = seen.indexOf("pigeon/e2e/availability offline");
        assertTrue(relayOff >= 0 && relayOff < deviceOffline && deviceOffline < gatewayOffline, seen.toString());
        assertEquals(1, seen.stream().filter(s -> s.equals("pigeon/e2e/availability offline")).count(),
            "said once by the gateway; the will was not published");
    }

    @EachBroker
    void startsWithoutABrokerReadsAnywayAndFailsSafeWhenItStaysAway(TestBroker broker) throws Exception {
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        proxy.refuse(true);
        Pty pty = closer.track(Pty.temporary());
        Gateway g = gateway(config("127.0.0.1", proxy.port(), pty.device(), "").replace(
            "safe_state: \"OFF\"", "safe_state: \"OFF\"\n    failsafe_after: 1s").replace("initial: \"OFF\"", "initial: \"ON\""));
        Await.until(WAIT, () -> g.health("climate") != null && g.health("climate").online(), () -> "reading without a broker");
        GpioOutput relay = (GpioOutput) g.supervisor("relay").device();
        pty.write("\ntemperature=18\n");
        Await.until(Duration.ofSeconds(5), () -> !relay.state(), () -> "failsafe: the relay goes OFF");
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/climate/#");
        proxy.refuse(false);
        assertEquals("18", next(got, "pigeon/e2e/climate/temperature").payload(), "buffered while the broker was away");
    }

    @EachBroker
    void brokerRestartLosesNoQos1Reading(BrokerKind kind) throws Exception {
        TestBroker broker = closer.track(kind.start(BrokerKind.BrokerConfig.anonymous().withPersistence()));
        assumeTrue(broker.persistent(), "needs a broker that keeps sessions across a restart (mosquitto)");
        Pty pty = closer.track(Pty.temporary());
        Collector got = new Collector();
        MqttClient sub = closer.track(new MqttClient(MqttOptions.builder().host(broker.host()).port(broker.port())
            .clientId("e2e-persistent").cleanSession(false).backoff(Duration.ofMillis(50), Duration.ofMillis(300))));
        var subscribed = sub.subscribe("pigeon/e2e/climate/n", 1, got);
        sub.connect(WAIT);
        subscribed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Gateway g = gateway(config(broker.host(), broker.port(), pty.device(), ""));
        Await.until(WAIT, () -> g.client().isConnected(), () -> "connected");
        int total = 300;
        for (int i = 0; i < total; i++) {
            pty.write((i == 0 ? "\n" : "") + "n=" + i + "\n"); // the first line after an open is dropped
            if (i == 100) {
                broker.stop();
            }
            if (i == 200) {
                broker.start();
            }
            Thread.sleep(5);
        }
        Set<Integer> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < total && System.nanoTime() < deadline) {
            Collector.Message m = got.poll(Duration.ofMillis(500));
            if (m != null) {
                seen.add(Integer.parseInt(m.payload()));
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            if (!seen.contains(i)) {
                missing.add(i);
            }
        }
        assertEquals(List.of(), missing);
    }

    @EachBroker
    void jsonPayloadCarriesOneObjectPerPoll(TestBroker broker) throws Exception {
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        gateway(config(broker.host(), broker.port(), pty.device(), "").replace(
            "    parse: kv\n", "    parse: kv\n    payload: json\n    decimals: 1\n"));
        next(got, "pigeon/e2e/availability");
        pty.write("\ntemperature=21.54 humidity=40.2\n");
        String json = next(got, "pigeon/e2e/climate").payload();
        assertTrue(json.matches("\\{\"temperature\":21\\.5,\"humidity\":40\\.2,\"time\":\"[0-9T:.Z-]+\"\\}"), json);
    }

    @EachBroker
    void retainedCommandsAreIgnoredAndHomeAssistantIsAnsweredWhenItComesOnline(BrokerKind kind) throws Exception {
        // Moquette 0.17 leaves RETAIN clear on retained messages it delivers, so only mosquitto can show this.
        assumeTrue(kind == BrokerKind.MOSQUITTO, "needs a broker that flags retained deliveries (mosquitto)");
        TestBroker broker = closer.track(kind.start());
        Pty pty = closer.track(Pty.temporary());
        MqttClient cmd = commander(broker);
        cmd.publish("pigeon/e2e/relay/set", "ON".getBytes(UTF_8), 1, true); // left retained by some tool
        assertTrue(cmd.flush(WAIT));
        Collector got = Collector.watch(broker, closer, "pigeon/e2e/#");
        Collector ha = Collector.watch(broker, closer, "homeassistant/+/pigeon-e2e/#");
        Gateway g = gateway(config(broker.host(), broker.port(), pty.device(), ""));
        Await.until(WAIT, () -> g.health("relay") != null && g.health("relay").online(), () -> "relay online");
        Collector.Message err = next(got, "pigeon/e2e/relay/error");
        assertTrue(err.payload().contains("retained command ignored"), err.payload());
        GpioOutput relay = (GpioOutput) g.supervisor("relay").device();
        assertFalse(relay.state(), "the retained ON did not fire");
        pty.write("\ntemperature=20\n");
        next(ha, "homeassistant/sensor/pigeon-e2e/climate_temperature/config");
        cmd.publish("homeassistant/status", "online".getBytes(UTF_8), 1, false);
        Collector.Message again = next(ha, "homeassistant/sensor/pigeon-e2e/climate_temperature/config");
        assertTrue(again.payload().contains("\"unique_id\":\"pigeon-e2e_climate_temperature\""), again.payload());
        assertTrue(next(ha, "homeassistant/switch/pigeon-e2e/relay_state/config").payload()
            .contains("\"command_topic\":\"pigeon/e2e/relay/set\""));
    }

    @EachBroker
    void eachDiscoveryConfigIsPublishedOncePerStart(BrokerKind kind) throws Exception {
        assumeTrue(kind == BrokerKind.MOSQUITTO, "needs a broker that flags retained deliveries (mosquitto)");
        TestBroker broker = closer.track(kind.start());
        Pty pty = closer.track(Pty.temporary());
        MqttClient cmd = commander(broker);
        cmd.publish("homeassistant/status", "online".getBytes(UTF_8), 1, true); // as HA leaves it
        assertTrue(cmd.flush(WAIT));
        Collector ha = Collector.watch(broker, closer, "homeassistant/sensor/pigeon-e2e/#");
        FaultProxy proxy = closer.track(new FaultProxy(broker.host(), broker.port()));
        Gateway g = gateway(config(broker.host(), proxy.port(), pty.device(), ""));
        Await.until(WAIT, () -> g.client().isConnected(), () -> "connected");
        pty.write("\ntemperature=20 humidity=40\n");
        Thread.sleep(1000);
        proxy.cut(); // a reconnect is no reason to announce again: the configs are retained
        Await.until(WAIT, () -> !g.client().isConnected(), () -> "cut");
        Await.until(WAIT, () -> g.client().isConnected(), () -> "connected again");
        Thread.sleep(1500);
        List<String> topics = new ArrayList<>();
        for (Collector.Message m = ha.poll(Duration.ofMillis(200)); m != null; m = ha.poll(Duration.ofMillis(200))) {
            topics.add(m.topic());
        }
        // Before: once when first seen, then at the reconnect twice (at connect, and for the retained status).
        assertEquals(List.of("homeassistant/sensor/pigeon-e2e/climate_temperature/config",
            "homeassistant/sensor/pigeon-e2e/climate_humidity/config"), topics);
    }
}
