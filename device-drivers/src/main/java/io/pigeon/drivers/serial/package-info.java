/**
 * Serial drivers through jssc: the port and its unplug watchdog ({@link io.pigeon.drivers.serial.SerialLink}),
 * framing (lines, PMS5003 frames, Modbus RTU) and the protocol parsers (text lines, NMEA 0183, Modbus). A
 * parser never throws past {@link io.pigeon.drivers.serial.SerialDevice}: the one
 * {@link io.pigeon.drivers.serial.SerialReader} thread reads every port and must survive each of them.
 */
package io.pigeon.drivers.serial;
