/**
 * Sensors the Linux kernel already drives, read from sysfs: hwmon ({@link io.pigeon.drivers.sysfs.Hwmon}) and
 * Industrial I/O ({@link io.pigeon.drivers.sysfs.Iio}). The sysfs root is a setting ({@code sysfs_root}), so that
 * tests and the simulator use a folder of their own. Depends on the driver model only.
 */
package io.pigeon.drivers.sysfs;
