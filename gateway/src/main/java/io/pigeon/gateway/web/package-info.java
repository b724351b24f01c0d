/**
 * The status page: {@link io.pigeon.gateway.web.StatusBoard} (what the page shows, fed by the gateway),
 * {@link io.pigeon.gateway.web.StatusServer} (the JDK's HTTP server: the page and {@code /api/*}) and the
 * bounded Server-Sent-Events streams. Depends on the config, the JSON writer and the driver model's values;
 * the bridge depends on it, never the reverse. Threads and locks: {@code docs/design.md}.
 */
package io.pigeon.gateway.web;
