package io.pigeon.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Moquette in this JVM, in memory, on localhost: the demo's broker, and the tests' broker when no mosquitto
 * is asked for. Clients reach it through a {@link BrokerFront} on the given port; Moquette itself listens on a
 * port of its own.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Server server = new Server();
    private final BrokerFront front;
    private final int port;

    /** An anonymous broker; port 0 picks a free one. */
    /** The largest message the broker takes: more than the gateway's own limits. */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

    public EmbeddedBroker(int port) throws IOException {
        this(port, true, Map.of());
    }

    /**
     * @param users user name to password; when not empty, a client that gives a user name must give its
     *     password
     */
    public EmbeddedBroker(int port, boolean allowAnonymous, Map<String, String> users) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        try {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (BindException e) {
            listener.close();
            throw new IOException("port " + port + " is in use (another MQTT broker?): use --broker HOST:PORT to "
                + "use it, or --port N for the embedded one");
        }
        this.port = listener.getLocalPort();
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        int brokerPort = freePort();
        p.setProperty("port", String.valueOf(brokerPort));
        p.setProperty("allow_anonymous", String.valueOf(allowAnonymous));
        // mosquitto_sub and mosquitto_pub send an empty client id by default
        p.setProperty("allow_zero_byte_client_id", "true");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("websocket_port", "disabled");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("immediate_buffer_flush", "true");
        // Moquette's default is 8,092 bytes, above which it drops a message (or the connection) while the
        // sender thinks it went out. The gateway sends up to 256 KiB and takes commands up to 64 KiB.
        p.setProperty("netty.mqtt.message_size", String.valueOf(MAX_MESSAGE_BYTES));
        front = new BrokerFront(listener, brokerPort);
        AbstractInterceptHandler accepted = new AbstractInterceptHandler() {
            @Override
            public String getID() {
                return "pigeon-broker-front";
            }

            @Override
            public Class<?>[] getInterceptedMessageTypes() {
                return new Class<?>[] {InterceptConnectMessage.class};
            }

            @Override
            public void onConnect(InterceptConnectMessage msg) {
                front.accepted(msg.getClientID() == null ? "" : msg.getClientID());
            }

            @Override
            public void onSessionLoopError(Throwable error) {
                // Moquette logs it
            }
        };
        try {
            IAuthenticator login = users.isEmpty() ? null : (clientId, user, password) -> user != null
                && password != null && new String(password, StandardCharsets.UTF_8).equals(users.get(user));
            server.startServer(new MemoryConfig(p), List.of(accepted), null, login, null);
            awaitListening(brokerPort);
            front.start();
        } catch (IOException | RuntimeException e) {
            front.close();
            server.stopServer();
            throw e;
        }
    }

    // Moquette is given a port rather than 0: reading back the port it bound races with its own bookkeeping.
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void awaitListening(int port) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                probe.shutdownOutput(); // connecting was the test; the probe only has to be closed again
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the embedded broker did not start listening on port " + port, e);
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while starting the embedded broker");
                }
            }
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        front.close();
        server.stopServer();
    }
}
