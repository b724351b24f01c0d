/**
 * I2C sensor drivers on Pi4J (BME280, BH1750), with their arithmetic kept apart from the bus so that it can
 * be checked against reference vectors. The simulated devices are in the test sources
 * ({@code io.pigeon.drivers.sim}), not here.
 */
package io.pigeon.drivers.i2c;
