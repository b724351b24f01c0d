package io.pigeon.gateway.bridge;

import io.pigeon.gateway.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@code <root>/<device>/error} replies to refused commands: short, so that no reply can be larger than a
 * broker accepts (at most {@value #QUOTE_BYTES} bytes of the payload are quoted, with its full length), and
 * few: at most {@value #PER_SECOND} a second per device, the rest counted and summed up in the next reply.
 * Commands to names that are no device share one allowance, so a flood of made-up names costs a fixed amount
 * of memory. The gateway publishes them at QoS 0 and only while connected: they never wait in the outbox and
 * never displace a reading.
 *
 * <p>Thread-safe (commands arrive on the MQTT connection thread and are handled on the scheduler's).
 */
final class ErrorReplies {
    static final int QUOTE_BYTES = 256;
    static final int PER_SECOND = 5;
    private static final String UNKNOWN = "";

    private final Set<String> devices;
    private final Map<String, Allowance> allowances = new HashMap<>();

    ErrorReplies(Set<String> devices) {
        this.devices = Set.copyOf(devices);
    }

    /** A fixed one-second window: its start, the replies sent in it, and those suppressed since the last sent. */
    private static final class Allowance {
        long windowStart;
        int sent;
        long suppressed;
    }

    /** The reply to publish for a refused command, or null when this device's allowance is used up (counted). */
    synchronized @Nullable String reply(String device, String error, byte[] payload, long nowNanos) {
        Allowance a = allowances.computeIfAbsent(devices.contains(device) ? device : UNKNOWN, k -> new Allowance());
        if (nowNanos - a.windowStart >= TimeUnit.SECONDS.toNanos(1) || a.windowStart == 0) {
            a.windowStart = nowNanos;
            a.sent = 0;
        }
        if (a.sent >= PER_SECOND) {
            a.suppressed++;
            return null;
        }
        a.sent++;
        Json json = new Json().put("error", error).put("payload", quote(payload)).put("payload_bytes", payload.length);
        if (a.suppressed > 0) {
            json.put("suppressed", a.suppressed); // refused meanwhile without a reply of their own
            a.suppressed = 0;
        }
        return json.toString();
    }

    /** The first {@value #QUOTE_BYTES} bytes of the payload as text (a cut character becomes U+FFFD). */
    static String quote(byte[] payload) {
        return new String(payload.length <= QUOTE_BYTES ? payload : Arrays.copyOf(payload, QUOTE_BYTES),
            StandardCharsets.UTF_8);
    }
}
