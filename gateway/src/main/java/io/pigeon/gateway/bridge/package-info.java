/**
 * The bridge: readings to MQTT and commands to actuators ({@link io.pigeon.gateway.bridge.Gateway}), the
 * publish policy, the strict command parser, error replies, Home Assistant discovery. Depends on the driver
 * model and the MQTT client; see {@code docs/design.md} for its threads and locks.
 */
package io.pigeon.gateway.bridge;
