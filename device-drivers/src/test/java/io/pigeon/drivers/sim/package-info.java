/**
 * Simulated hardware shared by the tests and the simulator (shipped in the device-drivers test-jar, which
 * sensor-sim shades): I2C chip models behind Pi4J's mock I2C ({@link io.pigeon.drivers.sim.SimulatedI2cProvider})
 * and the one pseudo-terminal helper ({@link io.pigeon.drivers.sim.Pty}). Depends on the driver model, Pi4J's
 * mock platform and JNA; never on the gateway.
 */
package io.pigeon.drivers.sim;
