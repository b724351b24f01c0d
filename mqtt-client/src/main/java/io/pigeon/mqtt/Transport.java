package io.pigeon.mqtt;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * One connection's bytes, never blocking: a plain TCP channel, or {@link TlsTransport} over one. Reads move
 * what has arrived into a {@link FrameReader}; writes take from a {@link SendBuffer} what the socket accepts
 * now and leave the rest. Only the connection set-up ({@link #open}) waits, on the connection thread and
 * with a deadline.
 *
 * <p>Threads: {@link #read} runs on the connection thread only; {@link #write} under the client's lock on
 * any thread; {@link #close} on any thread.
 */
class Transport {
    final SocketChannel channel;
    /** Bytes from the socket on their way to the frame reader (plain) or to the TLS engine. */
    final ByteBuffer netIn;
    /** The broker closed its end; reported once what arrived before it is read. */
    boolean eof;
    /** Why a writer gave this connection up (set under the client's lock), for the connection thread to report. */
    IOException failure;

    Transport(SocketChannel channel, int netInSize) {
        this.channel = channel;
        this.netIn = ByteBuffer.allocateDirect(netInSize);
    }

    /**
     * Connects (and, for TLS, completes the handshake) by the deadline, on the calling thread. The selector is
     * the connection thread's; the channel is registered with it.
     */
    static Transport open(MqttOptions options, javax.net.ssl.SSLContext tls, Selector selector, long deadline,
                          Runnable tick) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = ch.register(selector, 0);
            if (!ch.connect(new InetSocketAddress(options.host, options.port))) {
                key.interestOps(SelectionKey.OP_CONNECT);
                while (!ch.finishConnect()) {
                    await(selector, deadline, "connection to " + options.host + ":" + options.port, tick);
                }
            }
            key.interestOps(0);
            Transport t = tls == null ? new Transport(ch, 16 * 1024) : new TlsTransport(ch, tls, options);
            t.handshake(selector, key, deadline, tick);
            return t;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Waits for the selector up to the deadline (running {@code tick} at least once a second meanwhile); throws
     * at the deadline. Keys stay selected: callers re-check.
     */
    static void await(Selector selector, long deadline, String what, Runnable tick) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException(what + " timed out");
        }
        selector.select(Math.max(1, Math.min(1000, left / 1_000_000)));
        selector.selectedKeys().clear();
        tick.run();
    }

    /** Nothing to do for plain TCP. */
    void handshake(Selector selector, SelectionKey key, long deadline, Runnable tick) throws IOException {
    }

    /**
     * Moves what has arrived into {@code reader}; returns the bytes moved. At the end of the stream it throws
     * (EOFException, or a protocol error inside a packet), once the bytes before the end have been returned.
     */
    int read(FrameReader reader) throws IOException {
        if (eof) {
            throw eof(reader);
        }
        int total = 0;
        while (reader.room() > 0) {
            netIn.clear().limit(Math.min(netIn.capacity(), reader.room()));
            int n = channel.read(netIn);
            if (n < 0) {
                eof = true;
                break;
            }
            if (n == 0) {
                break;
            }
            netIn.flip();
            reader.append(netIn);
            total += n;
        }
        if (eof && total == 0) {
            throw eof(reader);
        }
        return total;
    }

    static IOException eof(FrameReader reader) {
        return reader.buffered() > 0
            ? new MqttProtocolException("connection closed inside a packet (" + reader.buffered() + " bytes read)")
            : new EOFException("connection closed by the broker");
    }

    /** Writes what the socket takes now; returns the bytes it took. */
    int write(SendBuffer send) throws IOException {
        int n = channel.write(send.readable());
        send.drained();
        return n;
    }

    /** Whether bytes of ours wait below the send buffer (TLS records not yet written). */
    boolean holdsUnsent() {
        return false;
    }

    /**
     * After a PINGREQ, asks Linux to acknowledge received data at once again. Sending data right after
     * receiving some switches Linux to delayed ACKs; for a subscriber that otherwise sends nothing, against
     * a broker that leaves Nagle's algorithm on (mosquitto's default), the broker then holds its next
     * messages until the delayed ACK comes, about 40 ms: a stall at every keep-alive (measured in the load
     * benchmark, see docs/benchmarks.md).
     */
    void ackPromptly() {
        try {
            channel.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
        } catch (IOException | UnsupportedOperationException | LinkageError e) {
            // not Linux, a runtime without jdk.net, or the socket is gone: nothing to do
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
