package io.pigeon.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.sim.Pty;
import io.pigeon.gateway.bridge.Gateway;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.gateway.json.JsonReader;
import io.pigeon.testing.Await;
import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Closer;
import io.pigeon.testing.Collector;
import io.pigeon.testing.TestBroker;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status page's API against a running gateway: a serial sensor on a pty, a relay, a real broker. */
class StatusPageGatewayTest {
    private static final String SECRET = "hunter2-not-for-the-page";
    private final Closer closer = new Closer();
    private final Pi4jPlatform platform = Pi4jPlatform.of("mock");

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
        platform.close();
    }

    private record Running(Gateway gateway, InetSocketAddress web, Pty pty, Collector got) {
    }

    private Running start() throws Exception {
        TestBroker broker = closer.track(BrokerKind.MOQUETTE.start(BrokerKind.BrokerConfig.anonymous()
            .withUsers(Map.of("pigeon", SECRET))));
        Pty pty = closer.track(Pty.temporary());
        Collector got = Collector.watchAs(broker, closer, "pigeon/web/#", "pigeon", SECRET);
        GatewayConfig cfg = new ConfigLoader(Map.of(), platform).parse(Path.of("web.yaml"), """
            mqtt: {host: %s, port: %d, client_id: pigeon-web, topic_prefix: pigeon/web, username: pigeon,
                   password: %s}
            platform: mock
            web: {listen: "127.0.0.1:0"}
            devices:
              - {name: climate, driver: serial-line, port: %s, parse: kv, units: ["temperature=°C"]}
              - {name: relay, driver: gpio-out, pin: 27, initial: "OFF"}
            """.formatted(broker.host(), broker.port(), SECRET, pty.device()));
        Gateway g = closer.track(new Gateway(cfg));
        g.start();
        Await.until(Duration.ofSeconds(10), () -> g.health("climate") != null && g.health("climate").online()
            && g.client().isConnected(), () -> "climate online and connected");
        return new Running(g, new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), g.webAddress().getPort()), pty, got);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) throws JsonReader.Malformed {
        return (Map<String, Object>) JsonReader.parse(text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theApiDescribesTheGatewayAndItsDevicesAndShowsNoSecret() throws Exception {
        Running r = start();
        r.pty().write("\ntemperature=21.5\n");
        Await.until(Duration.ofSeconds(5), () -> {
            try {
                return Http.get(r.web(), "/api/devices").body().contains("21.5");
            } catch (java.io.IOException e) {
                return false;
            }
        }, () -> "the reading on /api/devices");

        Map<String, Object> status = json(Http.get(r.web(), "/api/status").body());
        assertEquals(Gateway.version(), status.get("version"));
        assertEquals("pigeon-web", status.get("client_id"));
        assertTrue(((String) status.get("broker")).matches("127\\.0\\.0\\.1:\\d+"), (String) status.get("broker"));
        assertEquals(true, ((Map<String, Object>) status.get("connection")).get("connected"));
        assertEquals(new BigDecimal(2), status.get("devices"));
        for (String key : List.of("uptime_s", "outbox", "published", "dropped", "reconnects", "devices_online", "web",
            "platform", "time")) {
            assertTrue(status.containsKey(key), key + " in " + status);
        }

        List<Object> devices = (List<Object>) json(Http.get(r.web(), "/api/devices").body()).get("devices");
        Map<String, Object> climate = (Map<String, Object>) devices.get(0);
        assertEquals("climate", climate.get("name"));
        assertEquals("serial-line", climate.get("driver"));
        assertEquals("sensor", climate.get("kind"));
        assertEquals("online", climate.get("availability"));
        Map<String, Object> temperature = (Map<String, Object>) ((List<Object>) climate.get("readings")).get(0);
        assertEquals("temperature", temperature.get("reading"));
        assertEquals(new BigDecimal("21.5"), temperature.get("value"));
        assertEquals("°C", temperature.get("unit"));
        Map<String, Object> relay = (Map<String, Object>) devices.get(1);
        assertEquals("actuator", relay.get("kind"));
        Map<String, Object> state = (Map<String, Object>) ((List<Object>) relay.get("readings")).get(0);
        assertEquals("state", state.get("reading"));
        assertEquals(false, state.get("value"));

        Map<String, Object> history = json(Http.get(r.web(), "/api/history?device=climate&reading=temperature").body());
        List<Object> point = (List<Object>) ((List<Object>) history.get("points")).get(0);
        assertEquals(new BigDecimal("21.5"), point.get(1));

        for (String path : List.of("/api/status", "/api/devices", "/api/alerts", "/", "/app.js")) {
            assertFalse(Http.get(r.web(), path).body().contains(SECRET), path);
        }
    }

    @Test
    void anAvailabilityChangeIsOnTheEventStreamWithinASecond() throws Exception {
        Running r = start();
        try (Http.Events events = closer.track(new Http.Events(r.web()))) {
            assertEquals("HTTP/1.1 200 OK", events.statusLine);
            assertTrue(events.next("devices", 5000).contains("\"name\":\"climate\""));
            r.pty().write("\ntemperature=22\n");
            assertTrue(events.next("reading", 3000).contains("\"reading\":\"temperature\",\"value\":22,"));
            r.pty().unplug();
            Await.until(Duration.ofSeconds(5), () -> !r.gateway().health("climate").online(), () -> "offline");
            long offline = System.nanoTime();
            String event = events.next("availability", 1000);
            assertTrue(event.contains("\"device\":\"climate\",\"availability\":\"offline\""), event);
            assertTrue(System.nanoTime() - offline < 1_000_000_000L);
            assertTrue(events.next("alert", 1000).contains("\"device\":\"climate\""));
        }
    }

    @Test
    void hostileClientsNeverStopThePublishing() throws Exception {
        Running r = start();
        // A client that opens the event stream and never reads, then 100 connections at once.
        Socket stalled = closer.track(new Socket());
        stalled.setReceiveBufferSize(1024);
        stalled.connect(r.web(), 2000);
        stalled.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ExecutorService pool = Executors.newFixedThreadPool(100);
        AtomicInteger answered = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                all.add(pool.submit(() -> {
                    try {
                        if (Http.get(r.web(), "/api/devices").status() == 200) {
                            answered.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        // refused or closed when the queue is full: allowed
                    }
                    return null;
                }));
            }
            // Meanwhile the readings keep flowing to the broker.
            r.pty().write("\n"); // the line cut by the open (a serial device resynchronises on it)
            for (int i = 0; i < 20; i++) {
                r.pty().write("temperature=" + (30 + i) + "\n");
                assertEquals(String.valueOf(30 + i), nextTemperature(r.got()));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(answered.get() > 0, "some of the 100 were answered");
        assertEquals(200, Http.get(r.web(), "/api/status").status(), "and the page still answers");
    }

    private static String nextTemperature(Collector got) throws InterruptedException {
        while (true) {
            Collector.Message m = got.next(Duration.ofSeconds(5));
            if (m.topic().equals("pigeon/web/climate/temperature")) {
                return m.payload();
            }
        }
    }
}
