package io.pigeon.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a broker that can pass, delay, black-hole or cut connections, and refuse
 * new ones: the network faults a gateway meets, made on demand.
 */
public final class FaultProxy implements AutoCloseable {
    public enum Mode { PASS, BLACKHOLE, STALL }

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile boolean refuse;
    private volatile boolean closed;

    public FaultProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Bytes in either direction vanish from now on; connections stay open. */
    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    /**
     * The proxy stops reading in both directions from now on, as a frozen broker or a closed TCP window: the
     * kernel takes data until its buffers fill, then a sender's write would block. Connections stay open.
     */
    public void stall() {
        mode = Mode.STALL;
    }

    public void pass() {
        mode = Mode.PASS;
    }

    /** Each chunk is held this long before it is forwarded. */
    public void delay(long millis) {
        delayMillis = millis;
    }

    /** New connections are closed at once, as if the broker were away. */
    public void refuse(boolean refuse) {
        this.refuse = refuse;
    }

    /** Connections open through the proxy now (one ends when either side closes it). */
    public int connections() {
        return sockets.size() / 2;
    }

    /** Closes every open connection, as a dropped network link does. */
    public void cut() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (refuse) {
                    closeQuietly(client);
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
                } catch (IOException e) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    continue;
                }
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!closed) {
                    sleep(10);
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while (true) {
                    while (mode == Mode.STALL && !closed && !from.isClosed()) {
                        sleep(20);
                    }
                    if ((n = in.read(buf)) < 0) {
                        break;
                    }
                    long d = delayMillis;
                    if (d > 0) {
                        sleep(d);
                    }
                    if (mode != Mode.BLACKHOLE) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // connection gone
            } finally {
                closeQuietly(from);
                // In a black hole or a stall not even a close gets through: the other side must find out by itself.
                if (mode == Mode.PASS) {
                    closeQuietly(to);
                }
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        cut();
    }
}
