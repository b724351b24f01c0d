/**
 * JSON, both ways, without a library: {@link io.pigeon.gateway.json.Json} writes the small objects the gateway
 * publishes and serves; {@link io.pigeon.gateway.json.JsonReader} is the strict (RFC 8259) parser of commands;
 * {@link io.pigeon.gateway.json.Logs} makes untrusted text (a payload, a key) safe for a log line.
 * Depends on the driver model's {@code Value} only.
 */
package io.pigeon.gateway.json;
