package io.pigeon.mqtt;

import java.util.SplittableRandom;

/**
 * How long the connection thread waits before its next attempt, from how the last one ended.
 * <ul>
 * <li>An attempt that failed before CONNACK (refused, unreachable, timed out): exponential backoff from
 * {@code min} to {@code max}, with jitter.
 * <li>A refusal that only a person can fix (CONNACK codes 1, 2, 4, 5): from the second in a row on, the
 * longest backoff. The client keeps trying: a broker may be fixed.
 * <li>A connection that reached CONNACK and was then lost: the next attempt after the shortest backoff, so a
 * flapping broker is met as soon as it is back.
 * <li>Unless the broker closed {@code takeoverThreshold} young connections in a row with no message to
 * blame: then another client probably uses the same client id, and the longest backoff avoids a tug of war.
 * </ul>
 * Thread: the connection thread's alone.
 */
final class Backoff {
    private final long min;
    private final long max;
    private final long stableAfter;
    private final int takeoverThreshold;
    private final SplittableRandom random = new SplittableRandom();
    private int attempt;
    private int shortSessions;
    private int refusals;

    Backoff(MqttOptions options) {
        min = options.minBackoff.toNanos();
        max = options.maxBackoff.toNanos();
        stableAfter = options.stableAfter.toNanos();
        takeoverThreshold = options.takeoverThreshold;
    }

    /** What ended the last attempt. */
    record Outcome(boolean reachedConnack, long livedNanos, Throwable cause, boolean messageBlamed) {
        boolean closedByBroker() {
            return Backoff.closedByBroker(cause);
        }

        boolean permanentRefusal() {
            return cause instanceof MqttConnectException r && r.returnCode() != 3;
        }
    }

    /** Whether the broker (or the network) closed the connection, rather than a timeout or a protocol error. */
    static boolean closedByBroker(Throwable cause) {
        return cause instanceof java.io.EOFException
            || (cause instanceof java.net.SocketException && !(cause instanceof MqttProtocolException));
    }

    /** The wait before the next attempt, in nanoseconds. */
    long next(Outcome o) {
        if (o.reachedConnack()) {
            refusals = 0;
            attempt = 0;
            if (o.livedNanos() < stableAfter && o.closedByBroker() && !o.messageBlamed()) {
                shortSessions++;
            } else {
                shortSessions = 0;
            }
            return jitter(min);
        }
        shortSessions = 0;
        if (o.permanentRefusal() && ++refusals >= 2) {
            return jitter(max);
        }
        long base = min << Math.min(attempt, 30);
        attempt++;
        return jitter(Math.min(max, Math.max(base, min)));
    }

    /** Whether the last outcomes look like a client-id takeover; if so, the wait returned is replaced. */
    boolean takeover() {
        if (shortSessions >= takeoverThreshold) {
            shortSessions = 0;
            return true;
        }
        return false;
    }

    long longest() {
        return jitter(max);
    }

    /** Uniform in [d/2, d]: spreads reconnecting clients without ever waiting less than half. */
    private long jitter(long nanos) {
        return nanos / 2 + random.nextLong(nanos / 2 + 1);
    }
}
