package dev.pipeline.config;

import org.apache.kafka.common.config.ConfigDef;

/** Keys of the policy capability. */
public final class PolicyKeys {
    private PolicyKeys() {}

    static ConfigDef addTo(ConfigDef def) {
        return def;
    }
}
