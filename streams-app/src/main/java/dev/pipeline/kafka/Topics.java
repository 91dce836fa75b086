package dev.pipeline.kafka;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import java.util.List;

/** The topic names of CONTRACT.md, each overridable by its config key. */
public record Topics(String logsRaw, String logsAggregated, String orders, String ordersProcessed, String dlq) {

    /** Compacted topic where the embedded registry keeps schemas (Confluent's name). */
    public static final String SCHEMAS = "_schemas";

    public static Topics from(PipelineConfig config) {
        return new Topics(
                config.getString(CoreKeys.TOPIC_LOGS_RAW_CONFIG),
                config.getString(CoreKeys.TOPIC_LOGS_AGGREGATED_CONFIG),
                config.getString(CoreKeys.TOPIC_ORDERS_CONFIG),
                config.getString(CoreKeys.TOPIC_ORDERS_PROCESSED_CONFIG),
                config.getString(CoreKeys.TOPIC_DLQ_CONFIG));
    }

    public static Topics defaults() {
        return from(PipelineConfig.defaults());
    }

    public List<String> all() {
        return List.of(logsRaw, logsAggregated, orders, ordersProcessed, dlq);
    }
}
