package io.pigeon.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pigeon.drivers.Pi4jPlatform;
import io.pigeon.drivers.Value;
import io.pigeon.gateway.config.ConfigLoader;
import io.pigeon.gateway.config.GatewayConfig;
import io.pigeon.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The web server alone, with a board fed by the test: what a hostile or a plain client gets. */
class StatusServerTest {
    private final Pi4jPlatform platform = Pi4jPlatform.of("mock");
    private StatusBoard board;
    private StatusServer server;
    private InetSocketAddress at;

    @BeforeEach
    void start() throws Exception {
        GatewayConfig cfg = new ConfigLoader(Map.of(), platform).parse(Path.of("web.yaml"), """
            mqtt: {host: 127.0.0.1}
            platform: mock
            web: {listen: "127.0.0.1:0"}
            devices:
              - {name: relay, driver: gpio-out, pin: 27}
            """);
        board = new StatusBoard(cfg.devices(), () -> "{\"version\":\"test\"}");
        server = new StatusServer(cfg.web(), board);
        server.start();
        at = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.address().getPort());
    }

    @AfterEach
    void stop() {
        server.close();
        platform.close();
    }

    @Test
    void servesThePageAndItsApiAndNothingElse() throws Exception {
        Http.Response page = Http.get(at, "/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<script src=\"app.js\""), page.body());
        assertTrue(page.head().toLowerCase(java.util.Locale.ROOT).contains("content-security-policy: default-src 'self'"), page.head());
        int total = page.body().getBytes(StandardCharsets.UTF_8).length;
        for (String file : List.of("/app.js", "/app.css")) {
            Http.Response r = Http.get(at, file);
            assertEquals(200, r.status(), file);
            total += r.body().getBytes(StandardCharsets.UTF_8).length;
            // Nothing from the internet: the only URL in the page is the SVG namespace.
            assertFalse(Pattern.compile("https?://(?!www\\.w3\\.org/2000/svg)").matcher(r.body()).find(), file);
        }
        assertTrue(total < 100_000, "page, script and styles: " + total + " bytes");

        board.reading("relay", "state", Value.bool(true), 1_700_000_000_000L);
        assertEquals("{\"devices\":[{\"name\":\"relay\",\"driver\":\"gpio-out\",\"kind\":\"actuator\","
            + "\"availability\":\"starting\",\"reason\":\"\",\"since\":", Http.get(at, "/api/devices").body()
            .substring(0, 112));
        assertTrue(Http.get(at, "/api/devices").body().contains("\"readings\":[{\"reading\":\"state\",\"value\":true,"
            + "\"unit\":\"\",\"numeric\":false,\"time\":\"2023-11-14T22:13:20Z\"}]"));
        assertEquals("{\"version\":\"test\"}", Http.get(at, "/api/status").body());
        assertEquals(400, Http.get(at, "/api/history").status());
        assertEquals(404, Http.get(at, "/api/history?device=relay&reading=nope").status());
        assertEquals(404, Http.get(at, "/api/nope").status());
        Http.Response head = Http.raw(at, "HEAD / HTTP/1.1\nHost: x\nConnection: close\n\n");
        assertEquals(200, head.status());
        assertEquals("", head.body());
    }

    @Test
    void historyIsARingOfOnePointPerTwoSeconds() throws Exception {
        long t = 1_700_000_000_000L;
        for (int i = 0; i < 2 * History.POINTS; i++) {
            board.reading("relay", "duty", Value.number(i, "%"), t + i * 1000L); // one a second: every other one kept
        }
        String json = Http.get(at, "/api/history?device=relay&reading=duty").body();
        assertTrue(json.startsWith("{\"device\":\"relay\",\"reading\":\"duty\",\"unit\":\"%\",\"spacing_ms\":2000,"
            + "\"points\":[[1700000001000,1],[1700000003000,3],"), json); // a point holds its newest value
        assertTrue(json.endsWith(",[1700000599000,599]]}"), json);
        assertEquals(History.POINTS, json.split("\\],\\[").length);
    }

    @Test
    void pathTraversalAndOddPathsGet404() throws Exception {
        for (String path : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
            "//etc/passwd", "/web/app.js", "/app.js/../../../../etc/passwd", "/index.html%00", "/pigeon-version.properties")) {
            Http.Response r = Http.get(at, path);
            assertEquals(404, r.status(), path);
            assertFalse(r.body().contains("root:"), path);
        }
    }

    @Test
    void requestsWithABodyOrToWriteAreRefusedUnread() throws Exception {
        // 10 MB announced and sent: refused after the headers; the connection is closed, not read to its end.
        try (Socket s = new Socket()) {
            s.connect(at, 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("POST /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int i = 0; i < 160; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // the server closed the connection: as it should
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            String first = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", first);
            writer.join(10_000);
            assertFalse(writer.isAlive(), "the server stopped taking the body");
        }
        assertEquals(413, Http.raw(at, "GET / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n").status());
        Http.Response put = Http.raw(at, "PUT /api/status HTTP/1.1\nHost: x\nContent-Length: 0\nConnection: close\n\n");
        assertEquals(405, put.status());
        assertTrue(put.head().toLowerCase(java.util.Locale.ROOT).contains("allow: get, head"), put.head());
        assertEquals(200, Http.get(at, "/api/status").status()); // and it still serves
    }

    @Test
    void atMostEightEventStreamsAndTheNinthIsToldSo() throws Exception {
        List<Http.Events> open = new ArrayList<>();
        try {
            for (int i = 0; i < EventStreams.MAX_CLIENTS; i++) {
                Http.Events e = new Http.Events(at);
                open.add(e);
                assertEquals("HTTP/1.1 200 OK", e.statusLine);
                e.next("devices", 5000);
            }
            Http.Response ninth = Http.get(at, "/api/events");
            assertEquals(503, ninth.status());
            assertTrue(ninth.body().contains("too many event-stream clients (at most 8)"), ninth.body());
            assertTrue(ninth.head().toLowerCase(java.util.Locale.ROOT).contains("retry-after: 10"), ninth.head());
            open.remove(0).close();
            // A client that left is found when a write to it fails: events (or the keep-alive every 5 s) find it.
            Await.until(Duration.ofSeconds(12), () -> {
                board.alert("{}");
                return board.streams().clients() < EventStreams.MAX_CLIENTS;
            }, () -> board.streams().clients() + " clients");
            Http.Events again = new Http.Events(at);
            open.add(again);
            assertEquals("HTTP/1.1 200 OK", again.statusLine);
        } finally {
            for (Http.Events e : open) {
                e.close();
            }
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedAndTheOthersKeepTheirEvents() throws Exception {
        try (Socket stalled = new Socket(); Http.Events healthy = new Http.Events(at)) {
            stalled.setReceiveBufferSize(1024);
            stalled.connect(at, 2000);
            stalled.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Await.until(Duration.ofSeconds(5), () -> board.streams().clients() == 2, () -> "both connected");
            String filler = "x".repeat(10_000);
            long started = System.nanoTime();
            // 30 MB of alerts, far beyond any socket buffer: the stalled client's queue fills and it is dropped.
            for (int i = 0; i < 3000 && board.streams().droppedSlow() == 0; i++) {
                board.alert("{\"n\":" + i + ",\"filler\":\"" + filler + "\"}");
                if (i % 10 == 0) {
                    Thread.sleep(1); // the healthy client reads as fast as a browser, not as fast as a loop
                }
            }
            assertEquals(1, board.streams().droppedSlow(), "the stalled client was dropped");
            board.alert("{\"last\":true}");
            Await.until(Duration.ofSeconds(5), () -> healthy.events.stream().anyMatch(e -> e.equals("alert {\"last\":true}")),
                () -> "the healthy client got every alert to the last");
            assertEquals(1, board.streams().clients());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(30).toNanos());
        }
    }
}
