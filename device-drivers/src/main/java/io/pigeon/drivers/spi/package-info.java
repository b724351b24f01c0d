/** Devices on SPI through Pi4J ({@code /dev/spidevB.C}): the MCP3008 ADC. Depends on the driver model only. */
package io.pigeon.drivers.spi;
