package io.pigeon.mqtt;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The keep-alive rules of MQTT 3.1.1 §3.1.2.10, as times. A PINGREQ goes out early enough that no more than
 * the keep-alive passes between two packets sent (MQTT-3.1.2-23), and also when nothing has arrived for that
 * long, so a connection that only publishes at QoS 0 still hears from the broker. A connection on which
 * nothing has arrived for 1.5 times the keep-alive, or whose pending bytes the broker has not taken for that
 * long, is dead.
 *
 * <p>Thread: the connection thread's, except {@link #wrote}, which runs under the client's lock on whichever
 * thread wrote. The fields are volatile for that reason; each has one writer at a time.
 */
final class KeepAlive {
    private final long keepAlive;
    private final long pingAfter;
    private final long deadAfter;
    private volatile long lastSent;
    private volatile long lastReceived;
    /** Since when bytes of ours have waited without the socket taking any, or 0 when none wait. */
    private volatile long stuckSince;
    private volatile boolean pingOutstanding;

    KeepAlive(int seconds) {
        keepAlive = TimeUnit.SECONDS.toNanos(seconds);
        // A margin below the keep-alive for scheduling and the path to the broker: a quarter, at most a second.
        pingAfter = keepAlive - Math.min(keepAlive / 4, TimeUnit.SECONDS.toNanos(1));
        deadAfter = keepAlive + keepAlive / 2;
    }

    boolean enabled() {
        return keepAlive > 0;
    }

    void start(long now) {
        lastSent = now;
        lastReceived = now;
        stuckSince = 0;
        pingOutstanding = false;
    }

    /** A write handed {@code bytes} to the socket; {@code left} says whether some still wait. */
    void wrote(long now, int bytes, boolean left) {
        if (bytes > 0) {
            lastSent = now;
        }
        if (!left) {
            stuckSince = 0;
        } else if (bytes > 0 || stuckSince == 0) {
            stuckSince = now;
        }
    }

    void received(long now) {
        lastReceived = now;
        pingOutstanding = false;
    }

    /** Whether a PINGREQ should go out now; if so, it is taken as sent. */
    boolean pingDue(long now) {
        if (!enabled() || pingOutstanding) {
            return false;
        }
        if (now - lastSent >= pingAfter || now - lastReceived >= pingAfter) {
            pingOutstanding = true;
            return true;
        }
        return false;
    }

    /** Why the connection is dead, or null while it is alive. */
    @Nullable String deadReason(long now) {
        if (!enabled()) {
            return null;
        }
        if (now - lastReceived >= deadAfter) {
            return "nothing from the broker for " + millis(now - lastReceived) + " ms (keep-alive "
                + millis(keepAlive) + " ms" + (pingOutstanding ? ", PINGREQ unanswered" : "") + "): the connection is dead";
        }
        long stuck = stuckSince;
        if (stuck != 0 && now - stuck >= deadAfter) {
            return "the broker has taken no data for " + millis(now - stuck) + " ms: the connection is stuck";
        }
        return null;
    }

    /** When {@link #pingDue} or {@link #deadReason} next changes, at the latest. */
    long nextCheck(long now) {
        if (!enabled()) {
            return now + TimeUnit.SECONDS.toNanos(1);
        }
        long stuck = stuckSince;
        long next = (stuck != 0 ? Math.min(lastReceived, stuck) : lastReceived) + deadAfter;
        if (!pingOutstanding) {
            next = Math.min(next, Math.min(lastSent, lastReceived) + pingAfter);
        }
        return Math.max(now, next);
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
