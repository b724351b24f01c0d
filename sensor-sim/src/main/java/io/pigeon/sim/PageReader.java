package io.pigeon.sim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One browser's worth of requests to the status page, for the load benchmark: the page, its script and styles,
 * the event stream (held open and read to the end), and a history request per numeric reading of its snapshot,
 * as {@code app.js} makes them. Reproducible without a browser; the real browser is in the tests.
 */
final class PageReader implements AutoCloseable {
    private static final Pattern NUMERIC = Pattern.compile(
        "\\{\"name\":\"([^\"]+)\"[^\\[]*\"readings\":\\[([^\\]]*)]");
    private static final Pattern READING = Pattern.compile("\"reading\":\"([^\"]+)\"[^}]*\"numeric\":true");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final AtomicLong events = new AtomicLong();
    private final Thread reader;
    private volatile BufferedReader stream;

    PageReader(int port) {
        this.base = "http://127.0.0.1:" + port;
        this.reader = new Thread(this::read, "pigeon-load-page");
        reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    long events() {
        return events.get();
    }

    private String get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    private void read() {
        try {
            for (String f : new String[] {"/", "/app.js", "/app.css"}) {
                get(f);
            }
            HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/events"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
            stream = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            boolean historyAsked = false;
            for (String line; (line = stream.readLine()) != null; ) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                events.incrementAndGet();
                if (!historyAsked && line.startsWith("data: {\"devices\":")) {
                    historyAsked = true;
                    Matcher device = NUMERIC.matcher(line);
                    while (device.find()) {
                        Matcher reading = READING.matcher(device.group(2));
                        while (reading.find()) {
                            get("/api/history?device=" + URLEncoder.encode(device.group(1), StandardCharsets.UTF_8)
                                + "&reading=" + URLEncoder.encode(reading.group(1), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the gateway stopped, or close() cut the stream
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        BufferedReader s = stream;
        if (s != null) {
            s.close();
        }
        reader.interrupt();
    }
}
