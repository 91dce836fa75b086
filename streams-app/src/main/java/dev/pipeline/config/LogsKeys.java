package dev.pipeline.config;

import org.apache.kafka.common.config.ConfigDef;

/** Keys of the logs capability. */
public final class LogsKeys {
    private LogsKeys() {}

    static ConfigDef addTo(ConfigDef def) {
        return def;
    }
}
