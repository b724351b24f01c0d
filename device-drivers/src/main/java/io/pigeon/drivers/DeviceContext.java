package io.pigeon.drivers;

import java.util.concurrent.ScheduledExecutorService;

/**
 * What a device reports to while it is open. Thread-safe: drivers call it from their own threads (the
 * serial reader thread, Pi4J's listener thread, the device's thread).
 *
 * <p>One policy for every driver: a reading, or a poll that returns, is a success; {@link #failed} is one
 * failure. After {@code errors_before_offline} failures in a row the device is offline, until the next
 * success. A single bad value is only dropped and counted ({@link #rejected}); it never makes a device offline.
 */
public interface DeviceContext {
    /** A new reading: a success. */
    void reading(String name, Value value);

    /** A good frame or answer that carried nothing to publish: a success all the same. */
    void alive();

    /**
     * The device is gone (port vanished, chip no longer answers at all): the supervisor closes it and opens
     * it again with backoff.
     */
    void lost(String reason);

    /**
     * One failed frame or read (checksum error, timeout, unparsable line), counted under {@code counter}. A
     * polled driver throws instead; an event-driven one calls this. Also counts as no data for the silence timeout.
     */
    void failed(String counter, String reason);

    /**
     * A value the device delivered but that cannot be published (NaN, an exception answer for one register):
     * counted per reading, logged once per reading and reason, never published and never a failure.
     */
    void rejected(String reading, String reason);

    /** Counts an event, e.g. {@code bounces}. */
    void count(String counter);

    /**
     * Timers for this device alone (debounce, watchdogs): the device's own thread, so a slow device never
     * delays another. Tasks must not block for long, since they delay this device's polls.
     */
    ScheduledExecutorService scheduler();
}
