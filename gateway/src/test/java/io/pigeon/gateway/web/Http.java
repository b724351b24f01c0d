package io.pigeon.gateway.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * HTTP as a hostile or a plain client speaks it, on a raw socket: what is sent is exactly what the test wrote
 * (no client library normalising a path or adding a header).
 */
final class Http {
    private Http() {
    }

    record Response(int status, String head, String body) {
    }

    /** Sends {@code request} (CRLF line ends added) and reads the whole answer; the server must close or say how long. */
    static Response raw(InetSocketAddress at, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(at, 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(s.getInputStream());
        }
    }

    static Response get(InetSocketAddress at, String path) throws IOException {
        return raw(at, "GET " + path + " HTTP/1.1\nHost: localhost\nConnection: close\n\n");
    }

    static Response read(InputStream in) throws IOException {
        byte[] all;
        try {
            all = in.readAllBytes();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete answer within 5 s", e);
        }
        String text = new String(all, StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new AssertionError("not an HTTP answer: '" + text + "'");
        }
        String head = text.substring(0, split);
        String body = text.substring(split + 4);
        if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            body = unchunk(body);
        }
        return new Response(Integer.parseInt(head.split(" ")[1]), head, body);
    }

    private static String unchunk(String body) {
        StringBuilder sb = new StringBuilder();
        int at = 0;
        while (true) {
            int eol = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
            if (size == 0) {
                return sb.toString();
            }
            sb.append(body, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
    }

    /** An event-stream client reading on its own thread: the events, as "type data" strings, in a queue. */
    static final class Events implements AutoCloseable {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final String statusLine;
        private final Socket socket;
        private final Thread reader;

        Events(InetSocketAddress at) throws IOException {
            socket = new Socket();
            socket.connect(at, 2000);
            socket.getOutputStream().write("GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            statusLine = in.readLine();
            reader = new Thread(() -> {
                String type = null;
                try {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith("event: ")) {
                            type = line.substring(7);
                        } else if (line.startsWith("data: ") && type != null) {
                            events.add(type + " " + line.substring(6));
                            type = null;
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
                events.add("closed");
            }, "test-events");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next event of this type (others are skipped), or an AssertionError. */
        String next(String type, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (true) {
                String e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null || e.equals("closed")) {
                    throw new AssertionError("no '" + type + "' event within " + timeoutMillis + " ms" + (e == null ? "" : ": closed"));
                }
                if (e.startsWith(type + " ")) {
                    return e.substring(type.length() + 1);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
