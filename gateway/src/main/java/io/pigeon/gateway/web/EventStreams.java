package io.pigeon.gateway.web;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * The page's live feed ({@code /api/events}): at most {@link #MAX_CLIENTS} Server-Sent-Events streams. Each has
 * its own queue of at most {@link #QUEUE} events and its own thread ({@code pigeon-web-events-N}) that writes
 * them, so a client that stops reading blocks only its own thread; when its queue is full it is dropped (its
 * browser reconnects and starts again from a snapshot).
 *
 * <p>Threads: {@link #broadcast} is called by the gateway's threads and never blocks (a queue offer under
 * {@link #lock}); {@link #open} by the web server's threads.
 */
final class EventStreams implements AutoCloseable {
    static final int MAX_CLIENTS = 8;
    static final int QUEUE = 256;
    /** A comment line every so often: a dead connection shows up as a failed write. */
    static final long KEEP_ALIVE_MS = 5_000;

    private final Object lock = new Object();
    private final List<Stream> streams = new ArrayList<>(MAX_CLIENTS); // guarded by lock
    private volatile int open;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong droppedSlow = new AtomicLong();
    private final AtomicInteger threads = new AtomicInteger();
    private volatile boolean closed;

    /** Whether anyone listens: the board builds no event text when nobody does. */
    boolean active() {
        return open > 0;
    }

    int clients() {
        return open;
    }

    long refused() {
        return refused.get();
    }

    long droppedSlow() {
        return droppedSlow.get();
    }

    /**
     * Starts a stream on an exchange whose headers are not sent yet, with {@code first} queued ahead of every
     * later event (taken under the lock, so that no event falls between the snapshot and the stream).
     *
     * @return false when {@link #MAX_CLIENTS} streams are open already (the caller answers 503)
     */
    boolean open(HttpExchange exchange, java.util.function.Supplier<List<String>> first) throws IOException {
        Stream s;
        synchronized (lock) {
            if (closed || streams.size() >= MAX_CLIENTS) {
                refused.incrementAndGet();
                return false;
            }
            s = new Stream(exchange);
            for (String e : first.get()) {
                s.queue.offer(e);
            }
            streams.add(s);
            open = streams.size();
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        s.thread.start();
        return true;
    }

    /** One event to every stream; a stream whose queue is full is dropped, never waited for. */
    void broadcast(String type, String json) {
        if (open == 0) {
            return;
        }
        String event = event(type, json);
        synchronized (lock) {
            for (int i = streams.size() - 1; i >= 0; i--) {
                Stream s = streams.get(i);
                if (!s.queue.offer(event)) {
                    droppedSlow.incrementAndGet();
                    Logger.warn("web: an event-stream client at {} does not read its events; dropped it",
                        s.exchange.getRemoteAddress());
                    remove(s);
                }
            }
        }
    }

    static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    /** Under {@link #lock}. The stream's thread is interrupted: that closes its socket if it is stuck writing. */
    private void remove(Stream s) {
        if (streams.remove(s)) {
            open = streams.size();
            s.thread.interrupt();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            for (int i = streams.size() - 1; i >= 0; i--) {
                remove(streams.get(i));
            }
        }
    }

    private final class Stream implements Runnable {
        final HttpExchange exchange;
        final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        final Thread thread;

        Stream(HttpExchange exchange) {
            this.exchange = exchange;
            // A small stack: the thread only moves strings to a socket.
            this.thread = new Thread(null, this, "pigeon-web-events-" + threads.incrementAndGet(), 128 * 1024);
            thread.setDaemon(true);
        }

        /** Thread: this stream's own. */
        @Override
        public void run() {
            OutputStream out = exchange.getResponseBody();
            try {
                out.write("retry: 3000\n\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (!Thread.currentThread().isInterrupted()) {
                    String e = queue.poll(KEEP_ALIVE_MS, TimeUnit.MILLISECONDS);
                    out.write((e == null ? ": keep-alive\n\n" : e).getBytes(StandardCharsets.UTF_8));
                    if (queue.isEmpty()) {
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // the client went away, or was dropped while a write was stuck (the interrupt closed the socket)
            } catch (InterruptedException e) {
                // dropped or shut down while waiting: the flag stays set, so the close below cannot block
                Thread.currentThread().interrupt();
            } finally {
                synchronized (lock) {
                    remove(this);
                }
                exchange.close();
            }
        }
    }
}
