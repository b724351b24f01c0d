package io.pigeon.gateway.mqtt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import jdk.net.ExtendedSocketOptions;

/**
 * An MQTT 3.1.1 client for a gateway: one connection thread, reusable buffers, bounded everything.
 *
 * <p>Publishing is thread-safe and never blocks on the network for long: while connected a QoS 0 message is
 * written at once (nothing allocated); QoS 1/2 messages and anything published while disconnected go through
 * the {@link Outbox} and are written as the in-flight window allows. After a reconnect, unacknowledged
 * messages are written again, in order, with DUP set. The connection thread reads, answers, keeps the
 * connection alive, and reconnects with exponential backoff and jitter.
 *
 * <p>When the outbox is full, QoS 0 messages are dropped first (oldest first); then the
 * {@link MqttOptions.Overflow} policy applies. Every drop is counted in {@link #stats()}.
 */
public final class MqttClient implements AutoCloseable {
    /** Payloads up to this size are copied into the write buffer; larger ones are written from the caller's array. */
    private static final int COPY_LIMIT = 4096;
    private static final int MAX_TOPIC_CACHE = 1024;
    private static final int MAX_SUBSCRIPTIONS = 1024;

    private final MqttOptions options;
    private final Outbox outbox;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final MqttEncoder encoder = new MqttEncoder(256);
    private final SplittableRandom random = new SplittableRandom();
    private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final Map<Integer, Request> requests = new HashMap<>();
    private final Map<String, Topic> topics = new HashMap<>();
    private final IdSet idsInUse = new IdSet();
    private final IdSet inboundQos2 = new IdSet();
    private final byte[] clientIdUtf8;
    private final FrameReader reader;

    // Guarded by lock.
    private Socket socket;
    private volatile Socket tcp; // the TCP socket under TLS, for its options
    private OutputStream out;
    private boolean connected;
    private boolean sessionPresent;
    private int cursor = -1;
    private int inflight;
    private int nextId = 1;
    private Throwable lastError;
    private long sentQos0;
    private long acceptedQos12;
    private long acknowledged;
    private long droppedQos0;
    private long rejected;
    private long droppedOldest;
    private long connects;
    private long connectionLosses;
    private long protocolErrors;
    private long takeovers;
    private long received;

    private volatile boolean closed;
    private volatile long lastWriteNanos;
    private volatile long lastReadNanos;
    private Thread thread;
    private SSLSocketFactory sslFactory;

    public MqttClient(MqttOptions options) {
        this(options, new MemoryOutbox(options.maxBufferedMessages, options.maxBufferedBytes));
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
        // Records an earlier run left in a persistent outbox were written before: resend them as duplicates.
        for (int h = outbox.first(); h >= 0; h = outbox.next(h)) {
            if (outbox.stage(h) != Outbox.QUEUED) {
                outbox.setStage(h, Outbox.QUEUED, 0);
            }
        }
        cursor = outbox.first();
    }

    /**
     * The logger, looked up only when something unusual must be said (a takeover loop, a failing handler):
     * routine connection events go to {@link ConnectionListener}s, so a client that only publishes never
     * starts a logging system.
     */
    private static System.Logger log() {
        return System.getLogger("io.pigeon.gateway.mqtt");
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
            return publish(t, payload, 0, payload.length, qos, retain);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes {@code payload[offset, offset + length)}. The bytes are copied or written before this returns,
     * so the caller may reuse its array.
     *
     * @return false if the outbox was full and the message was dropped or rejected (counted in {@link #stats()})
     * @throws IllegalArgumentException for an invalid QoS or a payload too large to ever send
     */
    public boolean publish(Topic topic, byte[] payload, int offset, int length, int qos, boolean retain) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
        Objects.checkFromIndexSize(offset, length, payload.length);
        int topicLength = topic.utf8.length;
        MqttEncoder.publishRemainingLength(topicLength, length, qos);
        if (topicLength + (long) length > options.maxBufferedBytes) {
            throw new IllegalArgumentException("payload of " + length + " bytes is larger than the outbox's limit of "
                + options.maxBufferedBytes + " bytes");
        }
        acquire();
        try {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            if (qos == 0 && connected) {
                try {
                    writePublish(topic.utf8, topicLength, payload, offset, length, 0, retain, false, 0);
                    sentQos0++;
                    return true;
                } catch (IOException e) {
                    broken(e);
                }
            }
            if (!makeRoom(topicLength, length, qos)) {
                return false;
            }
            int h = outbox.append(topic.utf8, topicLength, payload, offset, length, qos, retain);
            if (h < 0) {
                throw new IllegalStateException("outbox refused a record it said would fit");
            }
            if (qos > 0) {
                acceptedQos12++;
            }
            if (cursor < 0) {
                cursor = h;
            }
            if (connected) {
                pump();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Applies the overflow policy until the record fits; false if it cannot. */
    private boolean makeRoom(int topicLength, int payloadLength, int qos) {
        while (!outbox.fits(topicLength, payloadLength)) {
            int victim = outbox.firstQos0();
            if (victim < 0 && options.overflow == MqttOptions.Overflow.DROP_OLDEST) {
                victim = cursor; // the oldest message not yet written; written ones await their ack
            }
            if (victim < 0) {
                if (qos == 0) {
                    droppedQos0++;
                } else {
                    rejected++;
                }
                return false;
            }
            if (victim == cursor) {
                cursor = outbox.next(victim);
            }
            if (outbox.qos(victim) == 0) {
                droppedQos0++;
            } else {
                droppedOldest++;
            }
            outbox.remove(victim);
        }
        return true;
    }

    /**
     * Subscribes; the future completes with the granted QoS at the SUBACK, or fails with a
     * {@link SubscribeException} if the broker refuses. Made while disconnected, it is sent on connect.
     * Subscribing again to the same filter replaces the handler.
     */
    public CompletableFuture<Integer> subscribe(String filter, int qos, MessageHandler handler) {
        TopicFilter.checkFilter(filter);
        byte[] utf8 = Utf8.encode(filter, "topic filter '" + filter + "'");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
        Objects.requireNonNull(handler, "handler");
        Subscription sub = new Subscription(filter, utf8, qos, handler);
        acquire();
        try {
            if (closed) {
                throw new IllegalStateException("client is closed");
            }
            removeSubscription(filter);
            if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                throw new IllegalStateException("too many subscriptions (at most " + MAX_SUBSCRIPTIONS + ")");
            }
            subscriptions.add(sub);
            if (connected) {
                sendSubscribe(sub);
            }
            return sub.future;
        } finally {
            lock.unlock();
        }
    }

    /** Unsubscribes; the future completes at the UNSUBACK (or at once when there is no connection or session). */
    public CompletableFuture<Void> unsubscribe(String filter) {
        TopicFilter.checkFilter(filter);
        byte[] utf8 = Utf8.encode(filter, "topic filter '" + filter + "'");
        acquire();
        try {
            removeSubscription(filter);
            CompletableFuture<Void> done = new CompletableFuture<>();
            if (!connected) {
                // A clean session forgets it anyway; a persistent one is told on the next connect.
                if (!options.cleanSession) {
                    pendingUnsubscribes.add(new Request(null, utf8, done));
                } else {
                    done.complete(null);
                }
                return done;
            }
            sendUnsubscribe(new Request(null, utf8, done));
            return done;
        } finally {
            lock.unlock();
        }
    }

    private final List<Request> pendingUnsubscribes = new ArrayList<>();

    private void removeSubscription(String filter) {
        for (Subscription s : subscriptions) {
            if (s.filter.equals(filter)) {
                subscriptions.remove(s); // a copy-on-write list: iterating while removing is safe
            }
        }
    }

    /** Waits until every accepted message has been written and acknowledged, or the timeout passes. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        acquire();
        try {
            while (outbox.size() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                changed.awaitNanos(left);
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
            return new MqttStats(sentQos0, acceptedQos12, acknowledged, droppedQos0, rejected, droppedOldest,
                outbox.size(), outbox.bytes(), inflight, connects, connectionLosses, protocolErrors, takeovers,
                received);
        } finally {
            lock.unlock();
        }
    }

    /** Sends DISCONNECT (the broker then drops the will), closes the connection and stops the thread. */
    @Override
    public void close() {
        Thread t;
        acquire();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (connected) {
                try {
                    encoder.reset().disconnect();
                    write();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            connected = false;
            changed.signalAll();
            t = thread;
        } finally {
            lock.unlock();
        }
        closeSocket();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        outbox.close();
    }

    // ---------------------------------------------------------------- connection thread

    private void run() {
        int attempt = 0;
        int shortSessions = 0;
        while (!closed) {
            long sessionStart = 0;
            Throwable cause = null;
            try {
                Socket s = open();
                sessionStart = handshake(s);
                readLoop(s);
            } catch (Throwable e) {
                cause = e;
            }
            boolean wasConnected = sessionStart != 0;
            dropConnection(cause, wasConnected);
            if (closed) {
                break;
            }
            long lived = wasConnected ? System.nanoTime() - sessionStart : 0;
            boolean closedByBroker = cause instanceof EOFException
                || (cause instanceof SocketException && !(cause instanceof MqttProtocolException));
            if (wasConnected && lived >= options.stableAfter.toNanos()) {
                attempt = 0;
                shortSessions = 0;
            } else if (wasConnected && closedByBroker) {
                shortSessions++;
            } else {
                shortSessions = 0;
            }
            long delay;
            if (shortSessions >= options.takeoverThreshold) {
                delay = jitter(options.maxBackoff.toNanos());
                countTakeover(shortSessions, delay);
                shortSessions = 0;
            } else {
                long base = options.minBackoff.toNanos() << Math.min(attempt, 30);
                delay = jitter(Math.min(options.maxBackoff.toNanos(), Math.max(base, options.minBackoff.toNanos())));
                attempt++;
            }
            sleep(delay);
        }
    }

    private void countTakeover(int sessions, long delayNanos) {
        acquire();
        try {
            takeovers++;
        } finally {
            lock.unlock();
        }
        log().log(System.Logger.Level.WARNING, "client id ''{0}'' seems to be in use by another client: the broker "
            + "closed {1} connections in a row right after accepting them. Backing off {2} s instead of taking "
            + "the id back; give each client its own id.", options.clientId, sessions, delayNanos / 1_000_000_000);
    }

    /** Uniform in [d/2, d]: spreads reconnecting clients without ever waiting less than half. */
    private long jitter(long nanos) {
        return nanos / 2 + random.nextLong(nanos / 2 + 1);
    }

    private void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        acquire();
        try {
            long left;
            while (!closed && (left = deadline - System.nanoTime()) > 0) {
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        acquire();
        try {
            if (closed) {
                throw new SocketException("client closed");
            }
            socket = s;
        } finally {
            lock.unlock();
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout.toMillis());
        s.connect(new InetSocketAddress(options.host, options.port), timeout);
        s.setTcpNoDelay(true);
        tcp = s;
        if (!options.tls) {
            return s;
        }
        if (sslFactory == null) {
            sslFactory = Tls.socketFactory(options.tlsCaFile, options.tlsCertFile, options.tlsKeyFile);
        }
        SSLSocket ssl = (SSLSocket) sslFactory.createSocket(s, options.host, options.port, true);
        SSLParameters params = ssl.getSSLParameters();
        if (options.tlsVerifyHostname) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(params);
        acquire();
        try {
            socket = ssl;
        } finally {
            lock.unlock();
        }
        ssl.setSoTimeout(timeout);
        ssl.startHandshake();
        return ssl;
    }

    private final Packet packet = new Packet();

    /** Sends CONNECT, waits for CONNACK, then restores the session; returns when the connection began. */
    private long handshake(Socket s) throws IOException {
        reader.reset();
        Will will = options.will;
        byte[] willTopic = will == null ? null : will.topic().getBytes(StandardCharsets.UTF_8);
        byte[] user = options.username == null ? null : options.username.getBytes(StandardCharsets.UTF_8);
        acquire();
        try {
            out = s.getOutputStream();
            encoder.reset().connect(clientIdUtf8, options.cleanSession, options.keepAliveSeconds, willTopic,
                will == null ? null : will.payload(), will == null ? 0 : will.qos(),
                will != null && will.retain(), user, options.password);
            write();
        } finally {
            lock.unlock();
        }
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout.toMillis()));
        InputStream in = s.getInputStream();
        try {
            reader.read(in, packet);
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no CONNACK within " + options.connectTimeout.toMillis() + " ms");
        }
        if (packet.type != PacketType.CONNACK) {
            throw new MqttProtocolException("expected CONNACK, got " + PacketType.name(packet.type));
        }
        if (packet.returnCode != 0) {
            throw new MqttConnectException(packet.returnCode);
        }
        long now = System.nanoTime();
        lastReadNanos = now;
        boolean restored;
        acquire();
        try {
            connected = true;
            sessionPresent = packet.sessionPresent;
            lastError = null;
            restored = sessionPresent;
            connects++;
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

    /** After CONNACK: subscriptions, then unfinished messages in their order, then queued ones. */
    private void resume() throws IOException {
        // Requests the last connection left unanswered are sent again below.
        for (Integer id : requests.keySet()) {
            idsInUse.remove(id);
        }
        requests.clear();
        if (!sessionPresent) {
            inboundQos2.clear();
            for (Request r : pendingUnsubscribes) {
                r.future.complete(null);
            }
            pendingUnsubscribes.clear();
        }
        for (Request r : pendingUnsubscribes) {
            sendUnsubscribe(r);
        }
        pendingUnsubscribes.clear();
        for (Subscription sub : subscriptions) {
            if (!sessionPresent || !sub.acknowledged) {
                sendSubscribe(sub);
            }
        }
        for (int h = outbox.first(); h >= 0 && h != cursor; h = outbox.next(h)) {
            if (outbox.stage(h) == Outbox.RELEASED) {
                encoder.reset().ack(PacketType.PUBREL, outbox.packetId(h));
                write();
            } else {
                writeRecord(h, true);
            }
        }
        pump();
    }

    private void readLoop(Socket s) throws IOException, InterruptedException {
        long keepAlive = TimeUnit.SECONDS.toNanos(options.keepAliveSeconds);
        int tick = options.keepAliveSeconds == 0 ? 1000 : (int) Math.max(50, Math.min(1000, keepAlive / 4_000_000));
        s.setSoTimeout(tick);
        InputStream in = s.getInputStream();
        long pingSentAt = 0;
        while (!closed) {
            try {
                reader.read(in, packet);
                lastReadNanos = System.nanoTime();
                pingSentAt = 0;
                handle(packet);
            } catch (SocketTimeoutException e) {
                // A quiet tick: let the outbox finish deferred work, then check the keep-alive below.
                if (lock.tryLock()) {
                    try {
                        outbox.idle();
                    } finally {
                        lock.unlock();
                    }
                }
            }
            if (keepAlive == 0) {
                continue;
            }
            long now = System.nanoTime();
            if (pingSentAt != 0) {
                if (now - pingSentAt >= keepAlive) {
                    throw new KeepAliveTimeoutException("no answer from the broker within "
                        + options.keepAliveSeconds + " s of a PINGREQ: the connection is dead");
                }
            } else if (now - lastWriteNanos >= keepAlive || now - lastReadNanos >= keepAlive) {
                // A writer blocked on a dead connection holds the lock: then this gives up after keep-alive.
                if (!lock.tryLock(keepAlive, TimeUnit.NANOSECONDS)) {
                    throw new KeepAliveTimeoutException("could not send PINGREQ for " + options.keepAliveSeconds
                        + " s: the connection is stuck");
                }
                try {
                    encoder.reset().pingreq();
                    write();
                } finally {
                    lock.unlock();
                }
                pingSentAt = System.nanoTime();
                ackPromptly();
            }
        }
    }

    /**
     * After a PINGREQ, asks Linux to acknowledge received data at once again. Sending data right after
     * receiving some switches Linux to delayed ACKs; for a subscriber that otherwise sends nothing, against
     * a broker that leaves Nagle's algorithm on (mosquitto's default), the broker then holds its next
     * messages until the delayed ACK comes, about 40 ms: a stall at every keep-alive (measured in the load
     * benchmark, see docs/benchmarks.md).
     */
    private void ackPromptly() {
        Socket t = tcp;
        if (t == null) {
            return;
        }
        try {
            t.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        } catch (IOException | UnsupportedOperationException | LinkageError e) {
            // not Linux, a runtime without jdk.net, or the socket is gone: nothing to do
        }
    }

    /** The keep-alive found the connection dead. */
    static final class KeepAliveTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        KeepAliveTimeoutException(String message) {
            super(message);
        }
    }

    private void handle(Packet p) throws IOException {
        switch (p.type) {
            case PacketType.PUBLISH -> inboundPublish(p);
            case PacketType.PUBACK -> acknowledge(p.packetId, 1, Outbox.SENT, "PUBACK");
            case PacketType.PUBREC -> pubrec(p.packetId);
            case PacketType.PUBCOMP -> acknowledge(p.packetId, 2, Outbox.RELEASED, "PUBCOMP");
            case PacketType.PUBREL -> {
                acquire();
                try {
                    inboundQos2.remove(p.packetId);
                    encoder.reset().ack(PacketType.PUBCOMP, p.packetId);
                    write();
                } finally {
                    lock.unlock();
                }
            }
            case PacketType.SUBACK -> suback(p);
            case PacketType.UNSUBACK -> {
                Request r;
                acquire();
                try {
                    r = requests.remove(p.packetId);
                    if (r == null || r.subscription != null) {
                        throw new MqttProtocolException("UNSUBACK for unknown packet id " + p.packetId);
                    }
                    idsInUse.remove(p.packetId);
                } finally {
                    lock.unlock();
                }
                r.future.complete(null);
            }
            case PacketType.PINGRESP -> {
                // liveness already noted
            }
            default -> throw new MqttProtocolException("a broker must not send " + PacketType.name(p.type));
        }
    }

    private void inboundPublish(Packet p) throws IOException {
        boolean deliver = true;
        if (p.qos == 2) {
            acquire();
            try {
                deliver = inboundQos2.add(p.packetId);
            } finally {
                lock.unlock();
            }
        }
        if (deliver) {
            byte[] payload = p.payload();
            String topic = p.topic;
            for (Subscription sub : subscriptions) {
                if (TopicFilter.matches(sub.filter, topic)) {
                    try {
                        sub.handler.onMessage(topic, payload, p.qos, p.retain);
                    } catch (RuntimeException e) {
                        log().log(System.Logger.Level.WARNING, "message handler for '" + sub.filter + "' failed", e);
                    }
                }
            }
        }
        acquire();
        try {
            if (deliver) {
                received++;
            }
            if (p.qos > 0) {
                encoder.reset().ack(p.qos == 1 ? PacketType.PUBACK : PacketType.PUBREC, p.packetId);
                write();
            }
        } finally {
            lock.unlock();
        }
    }

    private void acknowledge(int id, int qos, int stage, String what) throws MqttProtocolException {
        acquire();
        try {
            int h = outbox.findByPacketId(id);
            if (h < 0 || outbox.qos(h) != qos || outbox.stage(h) != stage) {
                throw new MqttProtocolException(what + " for unknown packet id " + id);
            }
            outbox.remove(h);
            idsInUse.remove(id);
            inflight--;
            acknowledged++;
            pump();
            if (outbox.size() == 0) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void pubrec(int id) throws IOException {
        acquire();
        try {
            int h = outbox.findByPacketId(id);
            if (h < 0 || outbox.qos(h) != 2) {
                throw new MqttProtocolException("PUBREC for unknown packet id " + id);
            }
            outbox.setStage(h, Outbox.RELEASED, id);
            encoder.reset().ack(PacketType.PUBREL, id);
            write();
        } finally {
            lock.unlock();
        }
    }

    private void suback(Packet p) throws MqttProtocolException {
        Request r;
        acquire();
        try {
            r = requests.remove(p.packetId);
            if (r == null || r.subscription == null) {
                throw new MqttProtocolException("SUBACK for unknown packet id " + p.packetId);
            }
            if (p.codeCount != 1) {
                throw new MqttProtocolException("SUBACK has " + p.codeCount + " return codes for one filter");
            }
            idsInUse.remove(p.packetId);
            if (p.codes[0] == 0x80) {
                subscriptions.remove(r.subscription);
            } else {
                r.subscription.acknowledged = true;
            }
        } finally {
            lock.unlock();
        }
        if (p.codes[0] == 0x80) {
            log().log(System.Logger.Level.WARNING, "broker refused the subscription to ''{0}''", r.subscription.filter);
            r.subscription.future.completeExceptionally(new SubscribeException(r.subscription.filter));
        } else {
            r.subscription.future.complete(p.codes[0]);
        }
    }

    private void dropConnection(Throwable cause, boolean wasConnected) {
        closeSocket();
        acquire();
        try {
            connected = false;
            if (cause instanceof MqttProtocolException) {
                protocolErrors++;
            }
            if (wasConnected && !closed) {
                connectionLosses++;
            }
            if (!closed) {
                lastError = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (closed) {
            return;
        }
        for (ConnectionListener l : listeners) {
            try {
                l.disconnected(cause);
            } catch (RuntimeException e) {
                log().log(System.Logger.Level.WARNING, "connection listener failed", e);
            }
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

    private void closeSocket() {
        Socket s;
        acquire();
        try {
            s = socket;
            socket = null;
            out = null;
            connected = false;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    // ---------------------------------------------------------------- writing (all under lock)

    /** A write failed on a caller's thread: close the socket and let the connection thread reconnect. */
    private void broken(IOException e) {
        connected = false;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // the reader sees the closed socket
            }
        }
        lastError = e;
    }

    /** Writes queued records while the window allows. */
    private void pump() {
        try {
            while (cursor >= 0 && connected) {
                int h = cursor;
                if (outbox.qos(h) == 0) {
                    writeRecord(h, false);
                    cursor = outbox.next(h);
                    outbox.remove(h);
                    sentQos0++;
                } else {
                    if (inflight >= options.maxInflight) {
                        return;
                    }
                    outbox.setStage(h, Outbox.SENT, allocateId());
                    inflight++;
                    cursor = outbox.next(h);
                    writeRecord(h, false);
                }
            }
            if (outbox.size() == 0) {
                changed.signalAll();
            }
        } catch (IOException e) {
            broken(e);
        }
    }

    private int allocateId() {
        for (int i = 0; i < 65_535; i++) {
            int id = nextId;
            nextId = id == 65_535 ? 1 : id + 1;
            if (idsInUse.add(id)) {
                return id;
            }
        }
        throw new IllegalStateException("all 65535 packet ids are in use");
    }

    private void writeRecord(int h, boolean dup) throws IOException {
        byte[] d = outbox.data(h);
        int tl = outbox.topicLength(h);
        writePublish(d, tl, d, tl, outbox.payloadLength(h), outbox.qos(h), outbox.retain(h), dup,
            outbox.packetId(h));
    }

    private void writePublish(byte[] topic, int topicLength, byte[] payload, int offset, int length, int qos,
                              boolean retain, boolean dup, int id) throws IOException {
        if (out == null) {
            throw new SocketException("not connected");
        }
        if (length <= COPY_LIMIT) {
            encoder.reset().publish(topic, topicLength, payload, offset, length, qos, retain, dup, id);
            write();
        } else {
            encoder.reset().publishHeader(topic, topicLength, length, qos, retain, dup, id);
            write();
            out.write(payload, offset, length);
        }
    }

    private void write() throws IOException {
        if (out == null) {
            throw new SocketException("not connected");
        }
        out.write(encoder.array(), 0, encoder.length());
        lastWriteNanos = System.nanoTime();
    }

    private void sendSubscribe(Subscription sub) {
        int id = allocateId();
        requests.put(id, new Request(sub, sub.utf8, sub.future));
        sub.acknowledged = false;
        try {
            encoder.reset().subscribe(id, new byte[][] {sub.utf8}, new int[] {sub.qos}, 1);
            write();
        } catch (IOException e) {
            broken(e);
        }
    }

    private void sendUnsubscribe(Request r) {
        int id = allocateId();
        requests.put(id, r);
        try {
            encoder.reset().unsubscribe(id, new byte[][] {r.filterUtf8}, 1);
            write();
        } catch (IOException e) {
            broken(e);
        }
    }

    private static final class Subscription {
        final String filter;
        final byte[] utf8;
        final int qos;
        final MessageHandler handler;
        final CompletableFuture<Integer> future = new CompletableFuture<>();
        volatile boolean acknowledged;

        Subscription(String filter, byte[] utf8, int qos, MessageHandler handler) {
            this.filter = filter;
            this.utf8 = utf8;
            this.qos = qos;
            this.handler = handler;
        }
    }

    /** A SUBSCRIBE (subscription set) or UNSUBSCRIBE (subscription null) awaiting its ack. */
    private record Request(Subscription subscription, byte[] filterUtf8, CompletableFuture<?> future) {
    }
}
