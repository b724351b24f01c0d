package io.pigeon.gateway.config;

/** The config file is wrong; the message names the file, line, device and field. Exit code 2. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
