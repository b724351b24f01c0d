/**
 * GPIO and PWM drivers on Pi4J: inputs with software debounce, pulse counters, outputs with a safe state,
 * hardware PWM with the board's pin-to-channel map ({@link io.pigeon.drivers.gpio.PwmPins}). Depends on the
 * driver model only.
 */
package io.pigeon.drivers.gpio;
