/**
 * Pins of I2C GPIO expanders (MCP23017, PCF8574) as {@code gpio-in} and {@code gpio-out} devices, chosen by an
 * {@code expander} section in the pin's settings. Depends on the driver model and Pi4J's I2C.
 */
package io.pigeon.drivers.expander;
