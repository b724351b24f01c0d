/**
 * Serial drivers through jssc: the port and its unplug watchdog ({@link io.pigeon.drivers.serial.SerialLink}),
 * framing (lines, PMS5003 frames, Modbus RTU) and the protocol parsers (text lines, NMEA 0183, Modbus). A
 * parser never throws past {@link io.pigeon.drivers.serial.SerialDevice}: jssc's thread must survive.
 */
package io.pigeon.drivers.serial;
