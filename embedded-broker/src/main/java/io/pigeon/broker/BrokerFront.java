package io.pigeon.broker;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.tinylog.Logger;

/**
 * The port MQTT clients of the embedded broker connect to: a relay in front of Moquette that holds a client's
 * packets after its CONNECT until Moquette has finished accepting the connection.
 *
 * <p>Moquette 0.17 marks a connection as connected in a task it queues after the CONNACK is written. A client
 * that answers the CONNACK at once, as every client does on loopback, can have its SUBSCRIBE read before that
 * task runs; Moquette then drops the connection ("SUBSCRIBE received on already closed connection"), and a
 * DISCONNECT read that early is ignored, so the will fires. About one connection in five was hit on this
 * machine. Moquette reports a finished connection to its interceptors after that task; {@link #accepted}
 * is called from there, and only then does the relay pass on what the client sent after its CONNECT.
 */
final class BrokerFront implements AutoCloseable {
    private static final int MAX_CONNECT = 1 << 20;
    private static final long GATE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final ServerSocket listener;
    private final int brokerPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    // Connections whose CONNECT went to Moquette and that wait for it to finish; one entry per connection.
    private final List<Waiting> waiting = new ArrayList<>();
    private volatile boolean closed;

    BrokerFront(ServerSocket listener, int brokerPort) {
        this.listener = listener;
        this.brokerPort = brokerPort;
    }

    /** Starts accepting clients: once the broker behind is listening. */
    void start() {
        daemon("broker-front", this::acceptLoop);
    }

    /** Moquette has finished accepting a connection of this client ("" for an empty client id). */
    synchronized void accepted(String clientId) {
        waiting.removeIf(w -> w.clientId.equals(clientId));
        notifyAll();
    }

    private static final class Waiting {
        final String clientId;

        Waiting(String clientId) {
            this.clientId = clientId;
        }
    }

    private synchronized Waiting expect(String clientId) {
        Waiting w = new Waiting(clientId);
        waiting.add(w);
        return w;
    }

    /** Waits until Moquette has accepted the connection, closed it, or taken too long. */
    private synchronized void await(Waiting w, Socket broker) throws InterruptedException {
        try {
            long deadline = System.nanoTime() + GATE_TIMEOUT_NANOS;
            while (waiting.contains(w) && !broker.isClosed() && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return; // slow: let the client's packets through anyway
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } finally {
            waiting.remove(w);
        }
    }

    private synchronized void wake() {
        notifyAll();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket broker;
                try {
                    broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(broker);
                String name = "broker-front-" + client.getPort();
                daemon(name + "-in", () -> relay(client, broker, true));
                daemon(name + "-out", () -> relay(broker, client, false));
            } catch (IOException e) {
                if (!closed) {
                    Logger.warn("embedded broker: accept failed: {}", e.getMessage());
                }
            }
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Copies one direction until either side goes away; from the client, holds what follows its CONNECT. */
    private void relay(Socket from, Socket to, boolean fromClient) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            if (fromClient) {
                passConnect(in, out, to);
            }
            pump(in, out);
        } catch (IOException | InterruptedException e) {
            // either side went away: the finally closes both
        } finally {
            closeBoth(from, to);
        }
    }

    private void passConnect(InputStream in, OutputStream out, Socket broker) throws IOException, InterruptedException {
        byte[] connect = readPacket(in);
        if (connect == null) {
            return;
        }
        String clientId = clientId(connect);
        Waiting gate = clientId == null ? null : expect(clientId);
        out.write(connect);
        out.flush();
        if (gate != null) {
            await(gate, broker);
        }
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    private void closeBoth(Socket a, Socket b) {
        sockets.remove(a);
        sockets.remove(b);
        closeQuietly(a);
        closeQuietly(b);
        wake();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The client's first packet, whole, or null when the stream ended first. */
    static byte @Nullable [] readPacket(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        byte[] header = new byte[5];
        header[0] = (byte) first;
        int length = 0;
        int n = 1;
        for (int shift = 0; ; shift += 7) {
            int b = in.read();
            if (b < 0 || n == 5) {
                throw new IOException("bad remaining length");
            }
            header[n++] = (byte) b;
            length |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (length > MAX_CONNECT) {
            throw new IOException("first packet of " + length + " bytes");
        }
        byte[] packet = new byte[n + length];
        System.arraycopy(header, 0, packet, 0, n);
        int off = n;
        while (off < packet.length) {
            int r = in.read(packet, off, packet.length - off);
            if (r < 0) {
                throw new IOException("stream ended inside the first packet");
            }
            off += r;
        }
        return packet;
    }

    /** The client id of a CONNECT packet ("" when empty), or null for anything else. */
    static @Nullable String clientId(byte[] packet) {
        if ((packet[0] & 0xff) != 0x10) {
            return null;
        }
        int i = 1;
        while ((packet[i] & 0x80) != 0) {
            i++;
        }
        i++; // the variable header starts after the remaining length
        if (i + 2 > packet.length) {
            return null;
        }
        int nameLength = ((packet[i] & 0xff) << 8) | (packet[i + 1] & 0xff);
        int id = i + 2 + nameLength + 4; // protocol name, level, flags, keep-alive
        if (id + 2 > packet.length) {
            return null;
        }
        int idLength = ((packet[id] & 0xff) << 8) | (packet[id + 1] & 0xff);
        if (id + 2 + idLength > packet.length) {
            return null;
        }
        return new String(packet, id + 2, idLength, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        sockets.forEach(BrokerFront::closeQuietly);
        wake();
    }
}
