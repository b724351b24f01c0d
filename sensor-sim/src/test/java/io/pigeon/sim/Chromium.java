package io.pigeon.sim;

import io.pigeon.gateway.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * A real browser for tests: Debian's headless Chromium, driven over its DevTools protocol with the JDK's own
 * WebSocket client (no Selenium, no driver binary). Skipped where there is no Chromium, except in CI
 * ({@code -Dpigeon.ci=true}), whose {@code .ci/run} installs it.
 */
final class Chromium implements AutoCloseable {
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> waiting = new ConcurrentHashMap<>();

    static @Nullable String binary() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        if (Boolean.getBoolean("pigeon.ci")) {
            throw new AssertionError("no chromium: .ci/run installs Debian's chromium package");
        }
        Assumptions.abort("no chromium on this machine (apt-get install chromium)");
        return null;
    }

    /** Opens {@code url} in a new headless browser of {@code width} × {@code height} CSS pixels. */
    Chromium(String url, int width, int height) throws Exception {
        profile = Files.createTempDirectory("pigeon-chromium");
        process = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
            "--user-data-dir=" + profile, "--window-size=" + width + "," + height, url)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String browser = listeningOn();
            String debuggerPort = URI.create(browser).getPort() + "";
            HttpClient http = HttpClient.newHttpClient();
            String pageSocket = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (pageSocket == null && System.nanoTime() < deadline) {
                String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debuggerPort + "/json/list"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
                for (Object o : (List<?>) JsonReader.parse(list)) {
                    Map<?, ?> target = (Map<?, ?>) o;
                    if ("page".equals(target.get("type"))) {
                        pageSocket = (String) target.get("webSocketDebuggerUrl");
                    }
                }
                if (pageSocket == null) {
                    Thread.sleep(100);
                }
            }
            if (pageSocket == null) {
                throw new AssertionError("chromium opened no page");
            }
            socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener()).get(10, TimeUnit.SECONDS);
        } catch (Exception | AssertionError e) {
            close();
            throw e;
        }
    }

    /** The browser's DevTools address, from the line it prints on stderr. */
    private String listeningOn() throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        for (String line; (line = err.readLine()) != null; ) {
            int at = line.indexOf("DevTools listening on ");
            if (at >= 0) {
                Thread drain = new Thread(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException e) {
                        // gone
                    }
                }, "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return line.substring(at + "DevTools listening on ".length()).trim();
            }
        }
        throw new IOException("chromium exited without a DevTools address");
    }

    /** One DevTools command; its {@code result}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> send(String method, String paramsJson) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true)
            .get(10, TimeUnit.SECONDS);
        Map<String, Object> reply = answer.get(20, TimeUnit.SECONDS);
        if (reply.containsKey("error")) {
            throw new AssertionError(method + ": " + reply.get("error"));
        }
        return (Map<String, Object>) reply.get("result");
    }

    /** The value of a JavaScript expression in the page, as a string ("" for undefined or null). */
    @SuppressWarnings("unchecked")
    String eval(String expression) throws Exception {
        StringBuilder quoted = new StringBuilder();
        io.pigeon.gateway.json.Json.string(quoted, expression);
        Map<String, Object> result = send("Runtime.evaluate", "{\"expression\":" + quoted + ",\"returnByValue\":true}");
        Map<String, Object> value = (Map<String, Object>) result.get("result");
        if (result.containsKey("exceptionDetails")) {
            throw new AssertionError(expression + ": " + result.get("exceptionDetails"));
        }
        Object v = value.get("value");
        return v == null || v == JsonReader.NULL ? "" : String.valueOf(v);
    }

    /** Waits until the expression is truthy in the page. */
    String await(String expression, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = eval(expression);
            if (!last.isEmpty() && !last.equals("false") && !last.equals("0")) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " not within " + timeout + " (last: '" + last + "')");
    }

    void screenshot(Path png) throws Exception {
        Map<String, Object> shot = send("Page.captureScreenshot", "{\"format\":\"png\",\"captureBeyondViewport\":true}");
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode((String) shot.get("data")));
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is not worth failing a test
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        @SuppressWarnings("unchecked")
        public @Nullable CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    Map<String, Object> message = (Map<String, Object>) JsonReader.parse(text);
                    Object id = message.get("id");
                    if (id != null) {
                        CompletableFuture<Map<String, Object>> f = waiting.remove(Integer.parseInt(id.toString()));
                        if (f != null) {
                            f.complete(message);
                        }
                    }
                } catch (JsonReader.Malformed e) {
                    // an event we do not read
                }
            }
            ws.request(1);
            return null;
        }
    }
}
