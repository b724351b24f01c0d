package io.pigeon.gateway.config;

import io.pigeon.drivers.Device;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A configured device: the driver's device plus how the gateway publishes it.
 *
 * @param jsonPayload {@code payload: json} (one object per device) rather than {@code plain} (a topic per reading)
 * @param interval how often a polled device is read
 * @param timeout no data for this long makes it offline and reopens it (null: never)
 * @param onChange publish only changed values (with {@code deadband}), and at least every {@code heartbeat}
 * @param decimals rounding of numbers before publishing (-1: none)
 * @param failsafeAfter an actuator goes to its safe state when the broker has been unreachable this long
 * @param errorsBeforeOffline failed reads or frames in a row that make the device offline (default 3)
 */
public record DeviceConfig(String name, String driver, Device device, boolean jsonPayload, int qos, boolean retain,
                           Duration interval, @Nullable Duration timeout, boolean onChange, double deadband,
                           @Nullable Duration heartbeat, int decimals, @Nullable Duration failsafeAfter, Duration retryMax,
                           int errorsBeforeOffline) {
}
