package io.pigeon.drivers;

import java.time.Instant;

/** One value a device produced: {@code climate/temperature = 21.5 °C} at a time. */
public record Reading(String device, String name, Value value, Instant time) {
}
