package io.pigeon.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pigeon.testing.BrokerKind;
import io.pigeon.testing.Collector;
import io.pigeon.testing.TestBroker;
import io.pigeon.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS against mosquitto's TLS listener with a test CA (runs with -Dpigeon.mosquitto=true, as in CI). */
class MqttClientTlsTest {
    private static TestCertificates certs;
    private static TestBroker broker;
    private static TestBroker mutualBroker;

    @BeforeAll
    static void start() {
        assumeTrue(BrokerKind.mosquittoEnabled(), "TLS tests run against mosquitto: -Dpigeon.mosquitto=true");
        certs = TestCertificates.create();
        broker = BrokerKind.MOSQUITTO.start(BrokerKind.BrokerConfig.anonymous().withTls(certs, false));
        mutualBroker = BrokerKind.MOSQUITTO.start(BrokerKind.BrokerConfig.anonymous().withTls(certs, true));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
            mutualBroker.close();
        }
    }

    private static MqttOptions.Builder tls(TestBroker b, String host, String clientId) {
        return MqttOptions.builder().host(host).port(b.tlsPort()).clientId(clientId)
            .connectTimeout(Duration.ofSeconds(3)).backoff(Duration.ofMillis(100), Duration.ofMillis(500));
    }

    @Test
    void connectsAndPublishesOverTlsWithTheTestCa() throws Exception {
        Collector got = new Collector();
        try (MqttClient c = new MqttClient(tls(broker, "localhost", "tls-ok").tls(certs.caFile(), null, null))) {
            c.connect(Duration.ofSeconds(10));
            c.subscribe("tls/#", 1, got).get(10, TimeUnit.SECONDS);
            c.publish("tls/hello", "secret reading".getBytes(UTF_8), 1, false);
            assertEquals("secret reading", got.next(Duration.ofSeconds(10)).payload());
        }
    }

    @Test
    void hostnameIsVerified() throws Exception {
        // The server certificate names localhost only; 127.0.0.1 is the same machine but not the same name.
        try (MqttClient c = new MqttClient(tls(broker, "127.0.0.1", "tls-ip").tls(certs.caFile(), null, null))) {
            IOException e = assertThrows(IOException.class, () -> c.connect(Duration.ofSeconds(2)));
            assertTrue(e.getCause() instanceof SSLException, "handshake refused: " + e.getCause());
            assertFalse(c.isConnected());
        }
    }

    @Test
    void anUntrustedCaIsRefused() throws Exception {
        try (MqttClient c = new MqttClient(tls(broker, "localhost", "tls-other").tls(certs.otherCaFile(), null, null))) {
            IOException e = assertThrows(IOException.class, () -> c.connect(Duration.ofSeconds(2)));
            assertTrue(e.getCause() instanceof SSLException, "handshake refused: " + e.getCause());
        }
    }

    @Test
    void clientCertificateWithPkcs1KeyIsPresented() throws Exception {
        assertTrue(Files.readString(certs.clientKeyFile()).contains("BEGIN RSA PRIVATE KEY"), "a PKCS#1 key");
        try (MqttClient c = new MqttClient(tls(mutualBroker, "localhost", "tls-mutual")
            .tls(certs.caFile(), certs.clientCertFile(), certs.clientKeyFile()))) {
            c.connect(Duration.ofSeconds(10));
            assertTrue(c.isConnected());
        }
        try (MqttClient c = new MqttClient(tls(mutualBroker, "localhost", "tls-nocert").tls(certs.caFile(), null, null))) {
            assertThrows(IOException.class, () -> c.connect(Duration.ofSeconds(2)));
        }
    }
}
