/**
 * The config file: YAML read with limits, validated into {@link io.pigeon.gateway.config.GatewayConfig} with
 * every problem named by file, line, device and field, and the warnings {@code check} prints. One validation
 * for {@code check} and {@code run}.
 */
package io.pigeon.gateway.config;
