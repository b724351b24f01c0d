package io.pigeon.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link MqttClient} connects and how much it may hold. Immutable: made by a {@link Builder}
 * ({@link #builder()}), which starts from {@link #DEFAULTS}: the values that suit a small gateway, and the ones the
 * gateway's own config defaults are taken from. A client keeps the options it was made with.
 */
public final class MqttOptions implements Cloneable {
    /** What happens to a publish that does not fit in the outbox. */
    public enum Overflow {
        /** Reject the new QoS 1/2 message (publish returns false); QoS 0 messages are dropped first. */
        REJECT_NEW,
        /** Drop the oldest waiting messages (QoS 0 first) to make room for the new one. */
        DROP_OLDEST
    }

    // Set only by a Builder on its own private instance; a built MqttOptions is a copy no one changes.
    String host = "127.0.0.1";
    int port = 1883;
    String clientId = "";
    boolean cleanSession = true;
    int keepAliveSeconds = 30;
    String username;
    byte @Nullable [] password;
    Will will;
    Path tlsCaFile;
    Path tlsCertFile;
    Path tlsKeyFile;
    boolean tlsVerifyHostname = true;
    boolean tls;
    Duration connectTimeout = Duration.ofSeconds(10);
    int maxInflight = 32;
    int maxInflightQos2 = 20;
    int maxBufferedMessages = 10_000;
    long maxBufferedBytes = 2L * 1024 * 1024;
    Overflow overflow = Overflow.REJECT_NEW;
    int maxPacketSize = 1024 * 1024;
    int maxOutgoingPacketSize = 256 * 1024;
    Duration minBackoff = Duration.ofMillis(250);
    Duration maxBackoff = Duration.ofSeconds(60);
    Duration stableAfter = Duration.ofSeconds(10);
    int takeoverThreshold = 3;

    /** The defaults every builder starts from. */
    public static final MqttOptions DEFAULTS = new MqttOptions();

    private MqttOptions() {
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private MqttOptions copy() {
        try {
            return (MqttOptions) super.clone(); // every field is immutable or never changed (the password's copy)
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String clientId() {
        return clientId;
    }

    public int keepAlive() {
        return keepAliveSeconds;
    }

    public int maxInflight() {
        return maxInflight;
    }

    public int maxBufferedMessages() {
        return maxBufferedMessages;
    }

    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /** Fluent setters, each checking its value at once; {@link #build} gives the immutable options. */
    public static final class Builder {
        private final MqttOptions o;

        private Builder(MqttOptions from) {
            this.o = from.copy();
        }

        public MqttOptions build() {
            return o.copy();
        }

        public Builder host(String host) {
            o.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is outside 1..65535");
            }
            o.port = port;
            return this;
        }

        /** The client identifier; empty lets the broker choose (requires a clean session). */
        public Builder clientId(String clientId) {
            Utf8.encode(clientId, "client id");
            o.clientId = clientId;
            return this;
        }

        public Builder cleanSession(boolean cleanSession) {
            o.cleanSession = cleanSession;
            return this;
        }

        /** Seconds of silence after which the client pings; 0 turns keep-alive off. */
        public Builder keepAlive(int seconds) {
            if (seconds < 0 || seconds > 65_535) {
                throw new IllegalArgumentException("keep-alive " + seconds + " s is outside 0..65535");
            }
            o.keepAliveSeconds = seconds;
            return this;
        }

        public Builder credentials(String username, byte[] password) {
            if (username != null) {
                Utf8.encode(username, "user name");
            }
            if (password != null && username == null) {
                throw new IllegalArgumentException("a password needs a user name in MQTT 3.1.1");
            }
            if (password != null && password.length > Utf8.MAX_BYTES) {
                throw new IllegalArgumentException("password is longer than 65535 bytes");
            }
            o.username = username;
            o.password = password == null ? null : password.clone();
            return this;
        }

        public Builder will(Will will) {
            o.will = will;
            return this;
        }

        /**
         * TLS through JSSE. {@code caFile} (PEM) is the trust anchor (null: the JDK's default trust store);
         * {@code certFile} and {@code keyFile} (PEM, PKCS#8 or PKCS#1 RSA) are an optional client certificate.
         */
        public Builder tls(Path caFile, Path certFile, Path keyFile) {
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("a TLS client certificate needs both cert_file and key_file");
            }
            o.tls = true;
            o.tlsCaFile = caFile;
            o.tlsCertFile = certFile;
            o.tlsKeyFile = keyFile;
            return this;
        }

        /** Hostname verification is on by default; turning it off makes TLS open to impersonation. */
        public Builder tlsVerifyHostname(boolean verify) {
            o.tlsVerifyHostname = verify;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            o.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** QoS 1/2 messages written but not yet acknowledged, at most. */
        public Builder maxInflight(int messages) {
            if (messages < 1 || messages > 65_000) {
                throw new IllegalArgumentException("in-flight window " + messages + " is outside 1..65000");
            }
            o.maxInflight = messages;
            return this;
        }

        /**
         * QoS 2 messages in flight at most (default 20, and never more than {@link #maxInflight}). A broker may
         * refuse QoS 2 messages beyond its own receive quota, and MQTT 3.1.1 cannot say so: mosquitto answers
         * the 21st with a PUBREC carrying reason code 151 (quota exceeded) and drops it, with its default
         * {@code max_inflight_messages 20}. Raise this only to what the broker allows.
         */
        public Builder maxInflightQos2(int messages) {
            if (messages < 1 || messages > 65_000) {
                throw new IllegalArgumentException("QoS 2 in-flight window " + messages + " is outside 1..65000");
            }
            o.maxInflightQos2 = messages;
            return this;
        }

        /** Bounds of the in-memory outbox (in-flight plus buffered messages). */
        public Builder maxBuffered(int messages, long bytes) {
            if (messages < 1 || bytes < 1) {
                throw new IllegalArgumentException("buffer limits must be positive");
            }
            o.maxBufferedMessages = messages;
            o.maxBufferedBytes = bytes;
            return this;
        }

        public Builder overflow(Overflow overflow) {
            o.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * The largest PUBLISH packet {@code publish} accepts (default 256 KiB): set it to the broker's limit
         * (mosquitto's {@code max_packet_size}, Moquette's {@code netty.mqtt.message_size}) so that a message the
         * broker would refuse is refused at the call, before it enters the outbox.
         */
        public Builder maxOutgoingPacketSize(int bytes) {
            if (bytes < 64 || bytes > MqttEncoder.MAX_REMAINING_LENGTH + 5) {
                throw new IllegalArgumentException("maximum outgoing packet size " + bytes + " is outside 64.."
                    + (MqttEncoder.MAX_REMAINING_LENGTH + 5));
            }
            o.maxOutgoingPacketSize = bytes;
            return this;
        }

        /**
         * The largest packet accepted from the broker (default 1 MiB). A larger PUBLISH is acknowledged and
         * skipped (see {@link MessageHandler#oversized}); any other larger packet is a protocol error.
         */
        public Builder maxPacketSize(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maximum packet size must be at least 64 bytes");
            }
            o.maxPacketSize = bytes;
            return this;
        }

        /** Reconnect delays: doubling from {@code min} up to {@code max}, each with random jitter. */
        public Builder backoff(Duration min, Duration max) {
            positive(min, "minimum backoff");
            positive(max, "maximum backoff");
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("maximum backoff is below the minimum");
            }
            o.minBackoff = min;
            o.maxBackoff = max;
            return this;
        }

        /**
         * A connection that lasted this long counts as stable: the backoff starts again from the minimum. The
         * broker closing a younger connection {@code threshold} times in a row is taken as a client-id takeover.
         */
        public Builder takeoverDetection(Duration stableAfter, int threshold) {
            o.stableAfter = positive(stableAfter, "stable-after");
            if (threshold < 2) {
                throw new IllegalArgumentException("takeover threshold must be at least 2");
            }
            o.takeoverThreshold = threshold;
            return this;
        }
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return (tls ? "mqtts://" : "mqtt://") + host + ":" + port + " client id '" + clientId + "'"
            + (username != null ? " user '" + username + "'" + (password != null ? " (password set)" : "") : "");
    }
}
