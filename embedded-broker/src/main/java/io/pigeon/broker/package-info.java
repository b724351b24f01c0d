/**
 * Moquette behind a small relay: the broker of the demo and of the tests, never of the gateway on a Pi.
 * Depends on Moquette; nothing in the gateway depends on it.
 */
package io.pigeon.broker;
