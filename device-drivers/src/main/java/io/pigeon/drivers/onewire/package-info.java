/** 1-Wire sensors through the kernel's sysfs files (the DS18B20 through w1-therm). */
package io.pigeon.drivers.onewire;
