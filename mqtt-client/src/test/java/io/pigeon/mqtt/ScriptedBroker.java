package io.pigeon.mqtt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A broker played by the test, packet by packet, to produce what real brokers rarely do. */
final class ScriptedBroker implements AutoCloseable {
    private final ServerSocket server;
    private final java.util.List<MqttClient> clients = new java.util.ArrayList<>();

    ScriptedBroker() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        server.setSoTimeout(15_000);
    }

    int port() {
        return server.getLocalPort();
    }

    /** A client of this broker, closed with it. */
    MqttClient client(MqttOptions.Builder options) {
        MqttClient c = new MqttClient(options);
        clients.add(c);
        return c;
    }

    MqttOptions.Builder options(String clientId) {
        return MqttOptions.builder().host("127.0.0.1").port(port()).clientId(clientId)
            .backoff(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(200));
    }

    /** Accepts the next connection and reads its CONNECT. */
    Conn accept() throws IOException {
        Conn c = new Conn(server.accept());
        Packet p = c.read();
        if (p.type != PacketType.CONNECT) {
            throw new AssertionError("expected CONNECT, got " + p);
        }
        c.connect = p;
        return c;
    }

    @Override
    public void close() throws IOException {
        for (MqttClient c : clients) {
            c.close();
        }
        server.close();
    }

    static final class Conn implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final FrameReader reader = new FrameReader(new MqttDecoder(1 << 20), 1 << 20, 64);
        final MqttEncoder enc = new MqttEncoder(64);
        Packet connect;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(10_000);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** The next packet from the client, a fresh object each time. */
        Packet read() throws IOException {
            Packet p = new Packet();
            reader.read(in, p);
            if (p.type == PacketType.PUBLISH) {
                // keep the payload: the reader's buffer is reused
                p.buffer = p.payload();
                p.payloadOffset = 0;
            }
            return p;
        }

        /** The next packet that is not a PINGREQ (answered on the way). */
        Packet readSkippingPings() throws IOException {
            while (true) {
                Packet p = read();
                if (p.type != PacketType.PINGREQ) {
                    return p;
                }
                enc.reset().pingresp();
                send();
            }
        }

        /** True when the client closed the connection within the timeout. */
        boolean closedWithin(int millis) throws IOException {
            socket.setSoTimeout(millis);
            try {
                while (true) {
                    read();
                }
            } catch (EOFException | MqttProtocolException | java.net.SocketException e) {
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        void connack(boolean sessionPresent, int code) throws IOException {
            enc.reset().connack(sessionPresent, code);
            send();
        }

        void ack(int type, int id) throws IOException {
            enc.reset().ack(type, id);
            send();
        }

        void send() throws IOException {
            out.write(enc.array(), 0, enc.length());
            out.flush();
        }

        void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
