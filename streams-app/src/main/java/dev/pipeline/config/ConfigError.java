package dev.pipeline.config;

/** Bad configuration: the message names the key, the value, where it came from and what is allowed. */
public final class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message);
    }
}
