package dev.pipeline.config;

import org.apache.kafka.common.config.ConfigDef;

/** Keys of the orders capability. */
public final class OrdersKeys {
    private OrdersKeys() {}

    static ConfigDef addTo(ConfigDef def) {
        return def;
    }
}
