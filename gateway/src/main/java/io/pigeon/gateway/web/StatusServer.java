package io.pigeon.gateway.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pigeon.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tinylog.Logger;

/**
 * The status page and its API on the JDK's own HTTP server ({@code com.sun.net.httpserver}: no dependency, about
 * 1 MB of resident memory in use). Read-only: GET and HEAD; a request with a body is refused (413) unread.
 *
 * <pre>
 * /               the page (app.js, app.css beside it)      /api/devices   every device, its readings
 * /api/status     the gateway, broker, counters             /api/history   ?device=D&amp;reading=R: the recent values
 * /api/events     Server-Sent Events (at most 8 clients; the 9th gets 503)
 * </pre>
 *
 * <p>Bounded: two request threads ({@code pigeon-web-1}, {@code -2}) behind a queue of {@link #QUEUE} connections
 * (more are closed unanswered), a request that has not arrived whole in 10 s is cut off, and the event streams
 * are bounded by {@link EventStreams}. Only what is named above is served (anything else: 404), from the jar.
 */
public final class StatusServer implements AutoCloseable {
    static final int QUEUE = 32;
    private static final Map<String, String> FILES = Map.of(
        "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");

    static {
        // A client that sends half a request and stalls would hold a request thread for good; the JDK's server
        // reads this once, when its first server is made, and it bounds only the request, not the response (the
        // event streams stay open). A value set by the operator stays.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "10");
        }
    }

    private final StatusBoard board;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    /** Binds at once (so that a port in use is reported at start); serving begins with {@link #start}. */
    public StatusServer(GatewayConfig.Web listen, StatusBoard board) throws IOException {
        this.board = board;
        this.server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 16);
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(null, r, "pigeon-web-" + n.incrementAndGet(), 256 * 1024);
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true); // no threads while nobody looks
        server.setExecutor(executor); // a full queue throws; the JDK's server then closes that connection
        server.createContext("/", this::handle);
    }

    public void start() {
        server.start();
    }

    /** Where it listens (the port chosen when the config said 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Thread: the web server's ({@code pigeon-web-N}). */
    private void handle(HttpExchange ex) throws IOException {
        try {
            Headers in = ex.getRequestHeaders();
            String method = ex.getRequestMethod();
            if (hasBody(in)) {
                ex.getResponseHeaders().set("Connection", "close");
                text(ex, 413, "request bodies are refused: this server is read-only");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                text(ex, 405, "read-only: GET or HEAD");
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            switch (path) {
                case "/api/status" -> json(ex, board.statusJson());
                case "/api/devices" -> json(ex, board.devicesJson());
                case "/api/alerts" -> json(ex, board.alertsJson());
                case "/api/history" -> history(ex);
                case "/api/events" -> {
                    if (!board.streams().open(ex, board::snapshot)) {
                        ex.getResponseHeaders().set("Retry-After", "10");
                        text(ex, 503, "too many event-stream clients (at most " + EventStreams.MAX_CLIENTS + ")");
                    }
                }
                default -> file(ex, FILES.get(path));
            }
        } catch (IOException | RuntimeException e) {
            Logger.debug("web: {} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), String.valueOf(e));
            ex.close();
        }
    }

    private static boolean hasBody(Headers in) {
        String length = in.getFirst("Content-Length");
        return in.containsKey("Transfer-Encoding") || (length != null && !length.trim().equals("0"));
    }

    private void history(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        String device = q.get("device");
        String reading = q.get("reading");
        if (device == null || reading == null) {
            text(ex, 400, "give ?device=NAME&reading=NAME");
            return;
        }
        String json = board.historyJson(device, reading);
        if (json == null) {
            text(ex, 404, "no reading '" + reading + "' of a device '" + device + "' yet");
        } else {
            json(ex, json);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&", 8)) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    // a bad escape: that parameter is missing
                }
            }
        }
        return q;
    }

    private void file(HttpExchange ex, String name) throws IOException {
        if (name == null) {
            text(ex, 404, "not found");
            return;
        }
        byte[] body;
        try (InputStream in = StatusServer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                text(ex, 500, "the page is missing from the jar");
                return;
            }
            body = in.readAllBytes();
        }
        String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html";
        send(ex, 200, type + "; charset=utf-8", body);
    }

    private static void json(HttpExchange ex, String json) throws IOException {
        send(ex, 200, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        // Everything comes from here: no CDN, no inline script, nothing another site may frame.
        h.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        board.streams().close();
        server.stop(0);
        executor.shutdownNow();
    }
}
