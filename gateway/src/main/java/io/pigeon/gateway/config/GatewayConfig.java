package io.pigeon.gateway.config;

import io.pigeon.drivers.Pi4jPlatform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The whole configuration, validated. Field names follow the YAML keys.
 *
 * @param hardware the platform that {@code platform} and {@code pwm_chip} chose (GPIO, I2C, PWM)
 */
public record GatewayConfig(Path file, Mqtt mqtt, Pi4jPlatform hardware, Path oneWireBase, Log log,
                            Duration healthInterval, @Nullable String discoveryPrefix, List<DeviceConfig> devices,
                            int maxCommandBytes, @Nullable Web web) {

    /**
     * The status page ({@code web:}); absent from the config means no web server.
     *
     * @param host the address to bind, as written ({@code 0.0.0.0} for every interface)
     * @param port 1-65535, or 0 for any free port (tests)
     */
    public record Web(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * The {@code mqtt:} section.
     *
     * @param password never logged; {@code toString} hides it
     * @param outboxDir store-and-forward directory, or null for the in-memory buffer
     * @param passwordFile where the password came from, or null
     */
    @SuppressWarnings("ArrayRecordComponent") // the password stays bytes, never a String; a config is not compared
    public record Mqtt(String host, int port, String clientId, @Nullable String username, byte @Nullable [] password,
                       int keepalive, String topicPrefix, @Nullable Path caFile, @Nullable Path certFile,
                       @Nullable Path keyFile, boolean tls, boolean verifyHostname, @Nullable Path outboxDir,
                       long outboxMaxBytes, int bufferMessages, long bufferBytes, int maxInflight,
                       @Nullable Path passwordFile) {
        @Override
        public String toString() {
            return "mqtt " + host + ":" + port + " client id " + clientId + (username != null ? " user " + username : "")
                + (password != null ? " (password set)" : "");
        }
    }

    public record Log(String level, @Nullable Path file) {
    }

    public @Nullable DeviceConfig device(String name) {
        return devices.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }
}
