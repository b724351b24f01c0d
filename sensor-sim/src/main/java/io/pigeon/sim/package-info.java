/**
 * The simulator: simulated serial devices on ptys, simulated GPIO/I2C/1-Wire on Pi4J's mock platform, the demo
 * with its live view, the load generator and the isolation benchmark. Depends on everything else; nothing
 * depends on it.
 */
package io.pigeon.sim;
