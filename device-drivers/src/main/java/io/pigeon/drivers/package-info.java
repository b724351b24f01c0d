/**
 * The driver model: {@link io.pigeon.drivers.Device} and what a driver reports to
 * ({@link io.pigeon.drivers.DeviceContext}), the {@link io.pigeon.drivers.DeviceSupervisor} that keeps a device
 * running (its thread, its health, the failure policy), settings as the config gives them, and the Pi4J
 * platform. Depends on Pi4J, jssc and tinylog; knows nothing of MQTT (the gateway depends on it, not the
 * other way round).
 */
package io.pigeon.drivers;
