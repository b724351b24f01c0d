/**
 * {@code pigeon scan}: what is plugged into the board and a config entry for each ({@link
 * io.pigeon.gateway.scan.Scanner}, {@link io.pigeon.gateway.scan.ScanReport}). Reads sysfs, /dev and the I2C buses
 * through the driver model's platform; depends on the drivers and the JSON writer.
 */
package io.pigeon.gateway.scan;
