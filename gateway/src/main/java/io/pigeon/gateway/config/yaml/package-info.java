/**
 * YAML read into plain maps, lists and scalars by a library the gateway loads apart from its own classes
 * and drops once the config is read ({@link io.pigeon.gateway.config.yaml.YamlLibrary}).
 */
package io.pigeon.gateway.config.yaml;
