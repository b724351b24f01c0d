/**
 * The MQTT 3.1.1 client: {@link io.pigeon.mqtt.MqttClient} and its options, outboxes (memory and
 * {@link io.pigeon.mqtt.FileOutbox}), statistics. Depends on the JDK alone (the compiler checks it: this module
 * has no dependency). Only the API is public; the codec and the connection internals are package-private.
 */
package io.pigeon.mqtt;
