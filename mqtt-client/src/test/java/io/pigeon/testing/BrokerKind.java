package io.pigeon.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The brokers integration tests run against: embedded Moquette always, and a mosquitto process when the
 * build runs with {@code -Dpigeon.mosquitto=true} (as .ci/run does). Asking for mosquitto without the
 * binary fails the tests rather than skipping them, so CI cannot silently test less.
 */
public enum BrokerKind {
    MOQUETTE,
    MOSQUITTO;

    public static boolean mosquittoEnabled() {
        return Boolean.getBoolean("pigeon.mosquitto");
    }

    /** For {@code @MethodSource}: every broker this build tests against. */
    public static List<BrokerKind> all() {
        List<BrokerKind> kinds = new ArrayList<>();
        kinds.add(MOQUETTE);
        if (mosquittoEnabled()) {
            kinds.add(MOSQUITTO);
        }
        return kinds;
    }

    public TestBroker start() {
        return start(BrokerConfig.anonymous());
    }

    public TestBroker start(BrokerConfig config) {
        return switch (this) {
            case MOQUETTE -> new MoquetteBroker(config);
            case MOSQUITTO -> new MosquittoBroker(config);
        };
    }

    /** What a test needs of its broker. */
    public record BrokerConfig(boolean allowAnonymous, Map<String, String> users, boolean persistent,
                               @Nullable TestCertificates tls, boolean requireClientCertificate) {
        public static BrokerConfig anonymous() {
            return new BrokerConfig(true, Map.of(), false, null, false);
        }

        public BrokerConfig withUsers(Map<String, String> users) {
            return new BrokerConfig(false, users, persistent, tls, requireClientCertificate);
        }

        public BrokerConfig withPersistence() {
            return new BrokerConfig(allowAnonymous, users, true, tls, requireClientCertificate);
        }

        public BrokerConfig withTls(TestCertificates certs, boolean requireClientCertificate) {
            return new BrokerConfig(allowAnonymous, users, persistent, certs, requireClientCertificate);
        }
    }
}
