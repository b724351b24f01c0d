package io.pigeon.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * An MQTT 3.1.1 client for a gateway: one connection thread, reusable buffers, bounded everything, and no
 * call that a stalled network can hold up.
 *
 * <p>Publishing is thread-safe and never waits for the network: a packet is encoded into a bounded
 * {@link SendBuffer} and written with a non-blocking write; what the socket does not take now, the connection
 * thread writes when it can. While connected a QoS 0 message goes straight out (nothing allocated); if the
 * connection is not taking data it is dropped and counted. QoS 1/2 messages, and anything published while
 * disconnected, go through the {@link Outbox} and are written as the in-flight window and the socket allow.
 * After a reconnect with a session, unfinished messages are written again in order with DUP set and their
 * original packet ids; without one (clean session), they start again as new messages.
 *
 * <p>When the outbox is full, QoS 0 messages are dropped first (oldest first); then the
 * {@link MqttOptions.Overflow} policy applies. Every drop is counted in {@link #stats()}.
 *
 * <h2>Threads and the lock</h2>
 * <ul>
 * <li><b>Callers</b> (any thread): {@code publish}, {@code subscribe}, {@code unsubscribe}, {@code flush},
 * {@code stats}, {@code close}. Each holds {@link #lock} only for encoding and a non-blocking write.
 * <li><b>The connection thread</b> ({@code pigeon-mqtt-<client id>}): connects (TLS included), reads and
 * dispatches packets, writes what callers left in the send buffer, keeps the connection alive
 * ({@link KeepAlive}), reconnects ({@link Backoff}). Message handlers and connection listeners run on it,
 * without the lock.
 * <li>{@link #lock} guards every field below marked so, the {@link Outbox}, the {@link SendBuffer},
 * {@link Subscriptions} and the encoder. No thread holds it across anything that can block on the network;
 * it is never held while a handler or listener runs.
 * </ul>
 */
public final class MqttClient implements AutoCloseable {
    private static final int MAX_TOPIC_CACHE = 1024;
    /** The send buffer's first size; data packets are admitted while less than the data limit waits. */
    private static final int SEND_BUFFER = 16 * 1024;
    private static final int SEND_DATA_LIMIT = 64 * 1024;
    /** How long {@link #close} lets the connection thread write what is left (DISCONNECT last). */
    private static final long CLOSE_FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_JOIN_MILLIS = 1500;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final MqttOptions options;
    private final Outbox outbox;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final byte[] clientIdUtf8;
    private final KeepAlive keepAlive;

    // Guarded by lock.
    private final MqttEncoder encoder = new MqttEncoder(256);
    private final SendBuffer send;
    private final Subscriptions subscriptions = new Subscriptions();
    private final Map<String, Topic> topics = new HashMap<>();
    private final PacketIds ids = new PacketIds();
    private final IdSet inboundQos2 = new IdSet();
    private final Outgoing outgoing;
    private @Nullable Transport transport;
    private boolean connected;
    private boolean sessionPresent;
    /** The connection thread watches for writability (so a caller need not wake it). */
    private boolean writeInterest;
    /** The connection thread is handling a batch of packets: its writes wait for the batch's end. */
    private boolean batching;
    private @Nullable Throwable lastError;
    private long closedAt;
    private long connects;
    private long connectionLosses;
    private long protocolErrors;
    private long takeovers;
    private long received;
    private long oversized;
    /** The outbox's last storage failure, said once. */
    private String lastOutboxError;

    private volatile boolean closed;
    private volatile Selector selector;
    private Thread thread;

    // The connection thread's alone.
    private final FrameReader reader;
    private final Packet packet = new Packet();
    private final Backoff backoff;
    private SSLContext tlsContext;
    private int readyOps;
    private long nextIdle;
    /** Gives the outbox its once-a-second chance to sync, in every state (connected, connecting, backing off). */
    private final Runnable idleTick = new Runnable() {
        @Override
        public void run() {
            long now = System.nanoTime();
            if (now - nextIdle >= 0 && !closed) {
                nextIdle = now + IDLE_NANOS;
                acquire();
                try {
                    if (!closed) {
                        outbox.idle();
                    }
                } catch (UncheckedIOException e) {
                    outboxFailed(e); // a disk that fails must not take the connection with it
                } finally {
                    lock.unlock();
                }
            }
        }
    };
    /** No lambda: the first one in a JVM starts java.lang.invoke, about a megabyte (see {@link #start}). */
    private final Consumer<SelectionKey> onReady = new Consumer<SelectionKey>() {
        @Override
        public void accept(SelectionKey key) {
            readyOps = key.readyOps();
        }
    };

    public MqttClient(MqttOptions options) {
        this(options, new MemoryOutbox(options.maxBufferedMessages, options.maxBufferedBytes));
    }

    /** A client with the options the builder holds now (later changes to the builder do not reach it). */
    public MqttClient(MqttOptions.Builder options) {
        this(options.build());
    }

    /** As {@link #MqttClient(MqttOptions, Outbox)}, with the options the builder holds now. */
    public MqttClient(MqttOptions.Builder options, Outbox outbox) {
        this(options.build(), outbox);
    }

    /** A client with its own outbox, e.g. a file-backed one that survives a restart. */
    public MqttClient(MqttOptions options, Outbox outbox) {
        this.options = Objects.requireNonNull(options, "options");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        if (options.clientId.isEmpty() && !options.cleanSession) {
            throw new IllegalArgumentException("an empty client id requires a clean session (MQTT 3.1.1 §3.1.3.1)");
        }
        this.clientIdUtf8 = options.clientId.getBytes(StandardCharsets.UTF_8);
        this.reader = new FrameReader(new MqttDecoder(options.maxPacketSize), options.maxPacketSize, 256);
        this.send = new SendBuffer(SEND_BUFFER, SEND_DATA_LIMIT,
            SEND_DATA_LIMIT + options.maxOutgoingPacketSize + SEND_BUFFER);
        this.keepAlive = new KeepAlive(options.keepAliveSeconds);
        this.backoff = new Backoff(options);
        this.outgoing = new Outgoing(options, outbox, ids, encoder, new Outgoing.Wire() {
            @Override
            public boolean admits(int size) {
                return connected && send.admitsData(size);
            }

            @Override
            public void data(byte[] payload, int offset, int length) {
                send.appendData(encoder.array(), encoder.length(), payload, offset, length);
            }

            @Override
            public boolean control() {
                return MqttClient.this.control();
            }

            @Override
            public void writeOut() {
                MqttClient.this.writeOut();
            }
        });
    }

    /**
     * The logger, looked up only when something unusual must be said (a quarantined message, a takeover loop,
     * a failing handler): routine connection events go to {@link ConnectionListener}s, so a client that only
     * publishes never starts a logging system.
     */
    private static System.Logger log() {
        return System.getLogger("io.pigeon.mqtt");
    }

    /**
     * Takes the client's lock, trying briefly without blocking first: under contention a blocking
     * {@code lock()} allocates a queue node, and the publishing path is meant to allocate nothing.
     */
    private void acquire() {
        for (int i = 0; i < 100; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    public MqttOptions options() {
        return options;
    }

    public void addConnectionListener(ConnectionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Starts the connection thread; it connects, and reconnects, until {@link #close}. */
    public void start() {
        acquire();
        try {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            if (thread == null) {
                // No lambda or method reference on the way to a first connection: the first one in a JVM
                // starts java.lang.invoke, about a megabyte of memory (the module also compiles string
                // concatenation without invokedynamic, for the same reason).
                thread = new Thread(new Runnable() {
                    @Override
                    public void run() {
                        MqttClient.this.run();
                    }
                }, "pigeon-mqtt-" + options.clientId);
                thread.setDaemon(true);
                thread.start();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Starts the client and waits for the first connection; see {@link #awaitConnected}. */
    public void connect(Duration timeout) throws IOException, InterruptedException {
        start();
        awaitConnected(timeout);
    }

    /**
     * Waits until connected. Throws at once the {@link MqttConnectException} of a refused attempt, or at the
     * timeout an IOException whose cause is the last failure. The client keeps trying either way.
     */
    public void awaitConnected(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        acquire();
        try {
            while (!connected) {
                if (closed) {
                    throw new IllegalStateException("client is closed");
                }
                if (lastError instanceof MqttConnectException refused) {
                    throw new MqttConnectException(refused.returnCode());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("not connected to " + options.host + ":" + options.port + " within "
                        + timeout.toMillis() + " ms" + (lastError != null ? ": " + lastError.getMessage() : ""),
                        lastError);
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isConnected() {
        acquire();
        try {
            return connected;
        } finally {
            lock.unlock();
        }
    }

    /** The session-present flag of the last CONNACK. */
    public boolean sessionPresent() {
        acquire();
        try {
            return sessionPresent;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- publishing (callers' threads)

    /** Publishes to a topic given as a string; its encoding is cached, so repeating a topic costs nothing. */
    public boolean publish(String topic, byte[] payload, int qos, boolean retain) {
        acquire();
        try {
            Topic t = topics.get(topic);
            if (t == null) {
                t = Topic.of(topic);
                if (topics.size() < MAX_TOPIC_CACHE) {
                    topics.put(topic, t);
                }
            }
            return publish(t, payload, 0, payload.length, qos, retain); // the lock is reentrant
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes {@code payload[offset, offset + length)}. The bytes are copied before this returns, so the
     * caller may reuse its array. Returns at once in every state of the connection.
     *
     * @return false if the message was dropped or rejected: the outbox was full, or (QoS 0) the connection is
     *     not taking data; counted in {@link #stats()}
     * @throws IllegalArgumentException for an invalid QoS, or a message larger than
     *     {@link MqttOptions#maxOutgoingPacketSize} or than the outbox could ever hold
     */
    public boolean publish(Topic topic, byte[] payload, int offset, int length, int qos, boolean retain) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
        Objects.checkFromIndexSize(offset, length, payload.length);
        int topicLength = topic.utf8.length;
        int size = MqttEncoder.publishPacketSize(topicLength, length, qos);
        if (size > options.maxOutgoingPacketSize) {
            throw new IllegalArgumentException("a message of " + length + " bytes to '" + topic + "' makes a packet of "
                + size + " bytes, larger than the outgoing limit of " + options.maxOutgoingPacketSize + " bytes");
        }
        if (!outbox.canHold(topicLength, length)) {
            throw new IllegalArgumentException("a message of " + length + " bytes to '" + topic
                + "' can never fit the outbox: raise its bound");
        }
        acquire();
        try {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            if (qos == 0 && connected) {
                return outgoing.sendNow(topic, payload, offset, length, retain, size);
            }
            try {
                if (!outgoing.accept(topic, payload, offset, length, qos, retain)) {
                    return false;
                }
                if (connected) {
                    pump();
                } else {
                    outbox.persist();
                }
                return true;
            } catch (UncheckedIOException e) {
                outboxFailed(e); // a disk that fails refuses this message; it never throws into a device's thread
                outgoing.refused(qos);
                return false;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The outbox's storage failed: said once per new kind of failure, never thrown at a caller. */
    private void outboxFailed(UncheckedIOException e) {
        String m = String.valueOf(e.getMessage());
        if (!m.equals(lastOutboxError)) {
            lastOutboxError = m;
            log().log(System.Logger.Level.WARNING, m);
        }
    }

    // ---------------------------------------------------------------- subscriptions (callers' threads)

    /**
     * Subscribes; the future completes with the granted QoS at the SUBACK, or fails with a
     * {@link SubscribeException} if the broker refuses (or with an IllegalStateException at {@link #close}).
     * Made while disconnected, it is sent on connect. Subscribing again to the same filter replaces the handler.
     */
    public CompletableFuture<Integer> subscribe(String filter, int qos, MessageHandler handler) {
        TopicFilter.checkFilter(filter);
        byte[] utf8 = Utf8.encode(filter, "topic filter '" + filter + "'");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
        Objects.requireNonNull(handler, "handler");
        Subscriptions.Subscription sub = new Subscriptions.Subscription(filter, utf8, qos, handler);
        acquire();
        try {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            subscriptions.add(sub);
            if (connected) {
                sendSubscribe(sub);
                writeOut();
            }
            return sub.future;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Unsubscribes; the future completes at the UNSUBACK, or at once when the broker keeps no session for
     * this client. One made while disconnected, or left unanswered by a lost connection, is sent on the next.
     */
    public CompletableFuture<Void> unsubscribe(String filter) {
        TopicFilter.checkFilter(filter);
        byte[] utf8 = Utf8.encode(filter, "topic filter '" + filter + "'");
        CompletableFuture<Void> done = new CompletableFuture<>();
        Subscriptions.Request r = new Subscriptions.Request(null, utf8, done);
        acquire();
        try {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            subscriptions.remove(filter);
            if (connected) {
                sendUnsubscribe(r);
                writeOut();
            } else if (!options.cleanSession) {
                subscriptions.deferUnsubscribe(r);
            } else {
                done.complete(null); // a clean session forgets it anyway
            }
            return done;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every accepted message has been written and acknowledged, or the timeout passes. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        acquire();
        try {
            while (outbox.size() > 0 || (connected && send.pending() > 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Messages in the outbox (in flight or waiting); cheap enough to poll. */
    public int pending() {
        acquire();
        try {
            return outbox.size();
        } finally {
            lock.unlock();
        }
    }

    public MqttStats stats() {
        acquire();
        try {
            Outgoing o = outgoing;
            return new MqttStats(o.sentQos0, o.acceptedQos12, o.acknowledged, o.droppedQos0, o.rejected,
                o.droppedOldest, outbox.size(), outbox.bytes(), o.inflight(), connects, connectionLosses,
                protocolErrors, takeovers, received, o.droppedStalled, o.quarantined, oversized);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends DISCONNECT after what is already in the send buffer (the broker then drops the will), closes the
     * connection and stops the thread. Returns within about 3 s whatever the broker does: the connection thread
     * gets 1 s to write what is left, then the socket is closed. Futures still open fail.
     */
    @Override
    public void close() {
        Thread t;
        acquire();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closedAt = System.nanoTime();
            if (connected) {
                encoder.reset().disconnect();
                send.appendControl(encoder.array(), encoder.length());
                writeOut();
            }
            send.seal(); // nothing after DISCONNECT (MQTT-3.14.4-2)
            connected = false;
            subscriptions.failAll(new IllegalStateException("client closed"));
            changed.signalAll();
            t = thread;
        } finally {
            lock.unlock();
        }
        wakeConnectionThread();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(CLOSE_JOIN_MILLIS);
                if (t.isAlive()) {
                    closeTransport(); // still connecting or flushing: cut it
                    t.join(CLOSE_JOIN_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeTransport();
        acquire();
        try {
            outbox.close();
        } finally {
            lock.unlock();
        }
    }

    private void closeTransport() {
        Transport t;
        acquire();
        try {
            t = transport;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.close();
        }
        wakeConnectionThread();
    }

    private void wakeConnectionThread() {
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    /** What ended a connection or an attempt, in words for a log line. */
    public static String describe(Throwable t) {
        if (t == null) {
            return "closed";
        }
        if (t instanceof MqttProtocolException) {
            return "protocol error: " + t.getMessage();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    // ---------------------------------------------------------------- writing (under lock, any thread)

    /**
     * Hands the send buffer to the socket without blocking. What the socket does not take stays, and the
     * connection thread is asked to write it when the socket is writable again.
     */
    private void writeOut() {
        Transport t = transport;
        boolean connectionThread = Thread.currentThread() == thread;
        if (t == null || (send.pending() == 0 && !t.holdsUnsent()) || (batching && connectionThread)
            || (writeInterest && !connectionThread)) {
            // (the last: the socket was full; the connection thread writes as soon as it is writable again,
            // so a caller's attempt now would be a wasted system call)
            return;
        }
        try {
            outbox.persist(); // stage changes reach the OS before the packets they describe reach the broker
        } catch (UncheckedIOException e) {
            outboxFailed(e);
        }
        try {
            int n = t.write(send);
            boolean left = send.pending() > 0 || t.holdsUnsent();
            keepAlive.wrote(System.nanoTime(), n, left);
            if (left && !writeInterest) {
                writeInterest = true;
                wakeConnectionThread();
            }
        } catch (IOException e) {
            broken(t, e);
        }
    }

    /** A write failed, or the buffer overflowed: close the socket; the connection thread then reconnects. */
    private void broken(Transport t, IOException e) {
        connected = false;
        if (t.failure == null) {
            t.failure = e;
        }
        t.close();
        wakeConnectionThread();
    }

    /** Appends the encoded control packet; false (and the connection given up) when the broker reads nothing. */
    private boolean control() {
        if (send.appendControl(encoder.array(), encoder.length())) {
            return true;
        }
        Transport t = transport;
        if (!send.sealed() && t != null) {
            broken(t, new SocketException("the broker is not reading: " + send.pending()
                + " bytes wait to be sent"));
        }
        return false;
    }

    /** Writes what the window and the socket allow, when connected. */
    private void pump() {
        if (connected) {
            outgoing.pump();
            if (outbox.size() == 0) {
                changed.signalAll();
            }
        }
    }

    private void sendSubscribe(Subscriptions.Subscription sub) {
        int id = ids.allocate();
        subscriptions.sent(id, new Subscriptions.Request(sub, sub.utf8, sub.future));
        sub.acknowledged = false;
        encoder.reset().subscribe(id, new byte[][] {sub.utf8}, new int[] {sub.qos}, 1);
        control();
    }

    private void sendUnsubscribe(Subscriptions.Request r) {
        int id = ids.allocate();
        subscriptions.sent(id, r);
        encoder.reset().unsubscribe(id, new byte[][] {r.filterUtf8()}, 1);
        control();
    }

    // ---------------------------------------------------------------- connection thread

    private void run() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            acquire();
            try {
                lastError = e;
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            return;
        }
        try {
            while (!closed) {
                Transport t = null;
                long began = 0;
                Throwable cause = null;
                try {
                    long deadline = System.nanoTime() + options.connectTimeout.toNanos();
                    t = Transport.open(options, tls(), selector, deadline, idleTick);
                    began = handshake(t, deadline);
                    if (began != 0) {
                        serve(t);
                    }
                } catch (Throwable e) {
                    // Throwable on purpose: an Error thrown by a message handler (the caller's code) must not
                    // end the one connection thread, or the client would stop for good without a word; it is
                    // handed to the connection listeners as the cause, and the client reconnects.
                    cause = e;
                }
                boolean blamed = dropConnection(t, cause, began != 0);
                if (closed) {
                    break;
                }
                long delay = backoff.next(new Backoff.Outcome(began != 0,
                    began != 0 ? System.nanoTime() - began : 0, cause, blamed));
                if (backoff.takeover()) {
                    delay = backoff.longest();
                    countTakeover(delay);
                }
                sleep(delay);
            }
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    private @Nullable SSLContext tls() throws IOException {
        if (options.tls && tlsContext == null) {
            tlsContext = Tls.context(options.tlsCaFile, options.tlsCertFile, options.tlsKeyFile);
        }
        return options.tls ? tlsContext : null;
    }

    /** Sends CONNECT and waits for CONNACK; returns when the connection began, or 0 if closed meanwhile. */
    private long handshake(Transport t, long deadline) throws IOException {
        Will will = options.will;
        acquire();
        try {
            if (closed) {
                t.close();
                return 0;
            }
            transport = t;
            send.clear();
            reader.reset();
            encoder.reset().connect(clientIdUtf8, options.cleanSession, options.keepAliveSeconds,
                will == null ? null : will.topic().getBytes(StandardCharsets.UTF_8),
                will == null ? null : will.payload(), will == null ? 0 : will.qos(), will != null && will.retain(),
                options.username == null ? null : options.username.getBytes(StandardCharsets.UTF_8),
                options.password);
            control();
            writeOut();
        } finally {
            lock.unlock();
        }
        SelectionKey key = t.channel.keyFor(selector);
        while (!reader.poll(packet)) {
            if (!await(t, key, Math.min(deadline, nextIdle))) {
                return 0;
            }
            idleTick.run();
            if (System.nanoTime() - deadline >= 0 && readyOps == 0 && !closed) {
                throw new SocketTimeoutException("no CONNACK within " + options.connectTimeout.toMillis() + " ms");
            }
            if ((readyOps & SelectionKey.OP_READ) != 0) {
                t.read(reader);
            }
        }
        if (packet.type != PacketType.CONNACK) {
            throw new MqttProtocolException("expected CONNACK, got " + PacketType.name(packet.type));
        }
        if (packet.returnCode != 0) {
            throw new MqttConnectException(packet.returnCode);
        }
        if (packet.sessionPresent && options.cleanSession) {
            throw new MqttProtocolException("CONNACK claims a session for a clean-session connect (MQTT-3.2.2-1)");
        }
        long now = System.nanoTime();
        boolean restored;
        acquire();
        try {
            if (closed) {
                return 0;
            }
            connected = true;
            sessionPresent = packet.sessionPresent;
            lastError = null;
            restored = sessionPresent;
            connects++;
            keepAlive.start(now);
            resume();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (ConnectionListener l : listeners) {
            try {
                l.connected(restored);
            } catch (RuntimeException e) {
                log().log(System.Logger.Level.WARNING, "connection listener failed", e);
            }
        }
        return now;
    }

    /**
     * Waits once on the selector for this connection (reads, and writes when bytes wait) until {@code until};
     * writes what it can. Returns false when the client is closing and nothing is left to write; throws when
     * the connection was given up meanwhile.
     */
    private boolean await(Transport t, SelectionKey key, long until) throws IOException {
        int interest;
        acquire();
        try {
            if (transport != t || !t.channel.isOpen()) {
                throw t.failure != null ? t.failure : new SocketException("connection closed");
            }
            boolean wantWrite = send.pending() > 0 || t.holdsUnsent();
            if (closed && (!wantWrite || System.nanoTime() - closedAt >= CLOSE_FLUSH_NANOS)) {
                return false;
            }
            writeInterest = wantWrite;
            interest = (closed ? 0 : SelectionKey.OP_READ) | (wantWrite ? SelectionKey.OP_WRITE : 0);
        } finally {
            lock.unlock();
        }
        key.interestOps(interest);
        readyOps = 0;
        long wait = closed ? Math.min(until, closedAt + CLOSE_FLUSH_NANOS) : until;
        selector.select(onReady, Math.max(1, (wait - System.nanoTime() + 999_999) / 1_000_000));
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            acquire();
            try {
                writeOut();
                pump();
            } finally {
                lock.unlock();
            }
        }
        return true;
    }

    /** The connected loop: read and dispatch, write what waits, keep alive; returns only when closed. */
    private void serve(Transport t) throws IOException {
        SelectionKey key = t.channel.keyFor(selector);
        while (true) {
            long now = System.nanoTime();
            boolean pinged = false;
            if (!closed) {
                String dead = keepAlive.deadReason(now);
                if (dead != null) {
                    throw new KeepAliveTimeoutException(dead);
                }
                if (keepAlive.pingDue(now)) {
                    acquire();
                    try {
                        encoder.reset().pingreq();
                        pinged = control();
                        writeOut();
                    } finally {
                        lock.unlock();
                    }
                }
                idleTick.run();
            }
            if (pinged) {
                t.ackPromptly();
            }
            if (!await(t, key, Math.min(keepAlive.nextCheck(now), nextIdle))) {
                return;
            }
            if ((readyOps & SelectionKey.OP_READ) != 0 && !closed) {
                if (t.read(reader) > 0) {
                    keepAlive.received(System.nanoTime());
                }
                dispatch();
            }
        }
    }

    /**
     * Handles every whole packet read, writing what they cause (acks, the next messages of the window) once at
     * the end: hundreds of PUBACKs in one read make one write, not hundreds.
     */
    private void dispatch() throws IOException {
        if (!reader.poll(packet)) {
            return;
        }
        setBatching(true);
        try {
            do {
                handle(packet);
            } while (reader.poll(packet));
        } finally {
            setBatching(false);
        }
    }

    private void setBatching(boolean on) {
        acquire();
        try {
            batching = on;
            if (!on) {
                writeOut();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The keep-alive found the connection dead. */
    static final class KeepAliveTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        KeepAliveTimeoutException(String message) {
            super(message);
        }
    }

    /** After CONNACK: subscriptions, then unfinished messages in their order, then queued ones. */
    private void resume() {
        if (!sessionPresent) {
            inboundQos2.clear();
        }
        outgoing.connected(sessionPresent);
        List<Subscriptions.Request> unsubscribes = new ArrayList<>();
        List<Subscriptions.Subscription> subscribes = new ArrayList<>();
        for (int id : subscriptions.reconnected(sessionPresent, unsubscribes, subscribes)) {
            ids.release(id);
        }
        for (Subscriptions.Request r : unsubscribes) {
            sendUnsubscribe(r);
        }
        for (Subscriptions.Subscription s : subscribes) {
            sendSubscribe(s);
        }
        pump();
    }

    private void handle(Packet p) throws IOException {
        switch (p.type) {
            case PacketType.PUBLISH -> inboundPublish(p);
            case PacketType.PUBACK -> acknowledge(p.packetId, 1, Outbox.SENT, "PUBACK");
            case PacketType.PUBREC -> {
                acquire();
                try {
                    outgoing.received(p.packetId);
                } finally {
                    lock.unlock();
                }
            }
            case PacketType.PUBCOMP -> acknowledge(p.packetId, 2, Outbox.RELEASED, "PUBCOMP");
            case PacketType.PUBREL -> {
                acquire();
                try {
                    inboundQos2.remove(p.packetId);
                    encoder.reset().ack(PacketType.PUBCOMP, p.packetId);
                    control();
                    writeOut();
                } finally {
                    lock.unlock();
                }
            }
            case PacketType.SUBACK -> suback(p);
            case PacketType.UNSUBACK -> {
                Subscriptions.Request r;
                acquire();
                try {
                    r = subscriptions.acknowledged(p.packetId, false);
                    if (r == null) {
                        throw new MqttProtocolException("UNSUBACK for unknown packet id " + p.packetId);
                    }
                    ids.release(p.packetId);
                } finally {
                    lock.unlock();
                }
                r.future().complete(null);
            }
            case PacketType.PINGRESP -> {
                // liveness already noted
            }
            default -> throw new MqttProtocolException("a broker must not send " + PacketType.name(p.type));
        }
    }

    private void inboundPublish(Packet p) throws IOException {
        boolean deliver = true;
        boolean skipped = p.oversizedLength > 0;
        acquire();
        try {
            if (p.qos == 2) {
                deliver = inboundQos2.add(p.packetId);
            }
            if (deliver) {
                if (skipped) {
                    oversized++;
                } else {
                    received++;
                }
            }
        } finally {
            lock.unlock();
        }
        if (deliver) {
            byte[] payload = skipped ? null : p.payload();
            String topic = p.topic;
            for (Subscriptions.Subscription sub : subscriptions.matching()) {
                if (TopicFilter.matches(sub.filter, topic)) {
                    try {
                        if (skipped) {
                            sub.handler.oversized(topic, p.oversizedLength, p.qos, p.retain);
                        } else {
                            sub.handler.onMessage(topic, payload, p.qos, p.retain);
                        }
                    } catch (RuntimeException e) {
                        log().log(System.Logger.Level.WARNING, "message handler for '" + sub.filter + "' failed", e);
                    }
                }
            }
        }
        if (p.qos > 0) {
            acquire();
            try {
                encoder.reset().ack(p.qos == 1 ? PacketType.PUBACK : PacketType.PUBREC, p.packetId);
                control();
                writeOut();
            } finally {
                lock.unlock();
            }
        }
    }

    private void acknowledge(int id, int qos, int stage, String what) throws MqttProtocolException {
        acquire();
        try {
            try {
                outgoing.acknowledged(id, qos, stage, what);
            } catch (UncheckedIOException e) {
                outboxFailed(e); // the ACK record is lost: the message may be sent once more after a restart
            }
            if (outbox.size() == 0) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void suback(Packet p) throws MqttProtocolException {
        Subscriptions.Request r;
        acquire();
        try {
            r = subscriptions.acknowledged(p.packetId, true);
            if (r == null) {
                throw new MqttProtocolException("SUBACK for unknown packet id " + p.packetId);
            }
            if (p.codeCount != 1) {
                throw new MqttProtocolException("SUBACK has " + p.codeCount + " return codes for one filter");
            }
            ids.release(p.packetId);
            if (p.codes[0] == 0x80) {
                subscriptions.refused(r.subscription());
            } else {
                r.subscription().acknowledged = true;
            }
        } finally {
            lock.unlock();
        }
        if (p.codes[0] == 0x80) {
            log().log(System.Logger.Level.WARNING, "broker refused the subscription to ''{0}''", r.subscription().filter);
            r.subscription().future.completeExceptionally(new SubscribeException(r.subscription().filter));
        } else {
            r.subscription().future.complete(p.codes[0]);
        }
    }

    /** Ends a connection or an attempt; returns whether a message at the head of the window is to blame. */
    private boolean dropConnection(Transport t, Throwable cause, boolean wasConnected) {
        if (t != null) {
            t.close();
        }
        Outgoing.Quarantined blamed = null;
        acquire();
        try {
            if (transport == t) {
                transport = null;
            }
            connected = false;
            writeInterest = false;
            if (cause instanceof MqttProtocolException) {
                protocolErrors++;
            }
            if (wasConnected && !closed) {
                connectionLosses++;
                blamed = outgoing.lost(Backoff.closedByBroker(cause));
            }
            if (!closed && cause != null) {
                lastError = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (blamed != null && blamed.topic() != null) {
            log().log(System.Logger.Level.WARNING, "dropped the message to ''{0}'' ({1} bytes): the broker closed "
                + "the connection right after it {2} times in a row (larger than the broker allows, or a topic it "
                + "refuses?); the messages behind it flow again", blamed.topic(), blamed.size(),
                Outgoing.QUARANTINE_AFTER);
        }
        if (closed) {
            return blamed != null;
        }
        for (ConnectionListener l : listeners) {
            try {
                l.disconnected(cause);
            } catch (RuntimeException e) {
                log().log(System.Logger.Level.WARNING, "connection listener failed", e);
            }
        }
        return blamed != null;
    }

    private void countTakeover(long delayNanos) {
        acquire();
        try {
            takeovers++;
        } finally {
            lock.unlock();
        }
        log().log(System.Logger.Level.WARNING, "client id ''{0}'' seems to be in use by another client: the broker "
            + "closed {1} connections in a row right after accepting them. Backing off {2} s instead of taking "
            + "the id back; give each client its own id.", options.clientId, options.takeoverThreshold,
            delayNanos / 1_000_000_000);
    }

    private void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (!closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            acquire();
            try {
                if (!closed) {
                    changed.awaitNanos(Math.min(left, IDLE_NANOS));
                }
            } catch (InterruptedException e) {
                // Not restored on purpose: this thread still writes the disk outbox on its way out, and an
                // interrupted thread's FileChannel I/O closes the channel (ClosedByInterruptException).
                closed = true;
            } finally {
                lock.unlock();
            }
            idleTick.run();
        }
    }
}
