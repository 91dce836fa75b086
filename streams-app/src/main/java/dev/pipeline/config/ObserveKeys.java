package dev.pipeline.config;

import org.apache.kafka.common.config.ConfigDef;

/** Keys of the observe capability. */
public final class ObserveKeys {
    private ObserveKeys() {}

    static ConfigDef addTo(ConfigDef def) {
        return def;
    }
}
