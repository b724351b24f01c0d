package io.pigeon.drivers;

import java.util.concurrent.ScheduledExecutorService;

/** What a device reports to while it is open. Thread-safe: drivers call it from their own threads. */
public interface DeviceContext {
    /** A new reading. A reading also ends a {@link #trouble} state. */
    void reading(String name, Value value);

    /** The device is gone (port vanished, reads fail): the supervisor closes it and retries. */
    void lost(String reason);

    /** The device is open but its data is bad (e.g. checksum errors in a row): offline until good data. */
    void trouble(String reason);

    /** Counts an event, e.g. {@code checksum_errors} or {@code lines_too_long}. */
    void count(String counter);

    /** For timers a driver needs (debounce, pulses); shared, so tasks must be short. */
    ScheduledExecutorService scheduler();
}
