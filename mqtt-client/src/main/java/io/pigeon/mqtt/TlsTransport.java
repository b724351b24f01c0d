package io.pigeon.mqtt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS through an {@link SSLEngine} over a non-blocking channel, so that TLS, like plain TCP, never blocks a
 * writer. The hostname is verified (RFC 2818 rules) unless the options turn that off.
 */
final class TlsTransport extends Transport {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    /** Records wrapped and not yet taken by the socket (read mode). */
    private final ByteBuffer netOut;
    /** Decrypted bytes not yet taken by the frame reader (write mode). */
    private final ByteBuffer appIn;

    TlsTransport(SocketChannel channel, SSLContext context, MqttOptions options) {
        this(channel, engine(context, options));
    }

    private TlsTransport(SocketChannel channel, SSLEngine engine) {
        super(channel, engine.getSession().getPacketBufferSize());
        this.engine = engine;
        this.netOut = ByteBuffer.allocateDirect(engine.getSession().getPacketBufferSize());
        netOut.flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    private static SSLEngine engine(SSLContext context, MqttOptions options) {
        SSLEngine e = context.createSSLEngine(options.host, options.port);
        e.setUseClientMode(true);
        SSLParameters params = e.getSSLParameters();
        if (options.tlsVerifyHostname) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        e.setSSLParameters(params);
        return e;
    }

    @Override
    void handshake(Selector selector, SelectionKey key, long deadline, Runnable tick) throws IOException {
        engine.beginHandshake();
        netIn.clear(); // write mode from here on
        while (true) {
            if (netOut.hasRemaining()) {
                channel.write(netOut);
                if (netOut.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    await(selector, deadline, "TLS handshake", tick);
                    continue;
                }
            }
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_TASK -> runTasks();
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult r = engine.unwrap(netIn, appIn);
                    netIn.compact();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the broker closed the connection during the TLS handshake");
                    }
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        int n = channel.read(netIn);
                        if (n < 0) {
                            throw new SSLException("the broker closed the connection during the TLS handshake");
                        }
                        if (n == 0) {
                            key.interestOps(SelectionKey.OP_READ);
                            await(selector, deadline, "TLS handshake", tick);
                        }
                    }
                }
                default -> {
                    key.interestOps(0);
                    return;
                }
            }
        }
    }

    @Override
    int read(FrameReader reader) throws IOException {
        if (eof && appIn.position() == 0) {
            throw eof(reader);
        }
        int total = drainApp(reader);
        while (!eof && reader.room() > 0) {
            int n = channel.read(netIn);
            if (n < 0) {
                eof = true;
            }
            netIn.flip();
            try {
                while (netIn.hasRemaining() && appIn.hasRemaining()) {
                    SSLEngineResult r = engine.unwrap(netIn, appIn);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        eof = true;
                        break;
                    }
                    if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                    if (r.getStatus() != SSLEngineResult.Status.OK) {
                        break; // underflow: a partial record waits for more; overflow: drain appIn first
                    }
                }
            } finally {
                netIn.compact();
            }
            total += drainApp(reader);
            if (n <= 0 && appIn.position() == 0) {
                break;
            }
        }
        if (eof && total == 0 && appIn.position() == 0) {
            throw eof(reader);
        }
        return total;
    }

    private int drainApp(FrameReader reader) {
        appIn.flip();
        int before = appIn.remaining();
        reader.append(appIn);
        int moved = before - appIn.remaining();
        appIn.compact();
        return moved;
    }

    @Override
    int write(SendBuffer send) throws IOException {
        int total = 0;
        ByteBuffer src = send.readable();
        while (true) {
            if (netOut.hasRemaining()) {
                total += channel.write(netOut);
                if (netOut.hasRemaining()) {
                    break;
                }
            }
            if (!src.hasRemaining() && engine.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                break;
            }
            if (wrap(src) == 0 && !src.hasRemaining()) {
                break;
            }
        }
        send.drained();
        return total;
    }

    /** Wraps into the (empty) outgoing record buffer; returns the bytes produced. */
    private int wrap(ByteBuffer src) throws IOException {
        netOut.clear();
        SSLEngineResult r;
        try {
            r = engine.wrap(src, netOut);
        } finally {
            netOut.flip();
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the TLS session is closed");
        }
        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        return r.bytesProduced();
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    @Override
    boolean holdsUnsent() {
        return netOut.hasRemaining() || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP;
    }

    @Override
    void close() {
        try {
            engine.closeOutbound();
            if (!netOut.hasRemaining()) {
                wrap(EMPTY); // close_notify, if the socket takes it now
                channel.write(netOut);
            }
        } catch (IOException | RuntimeException e) {
            // closing anyway
        }
        super.close();
    }
}
