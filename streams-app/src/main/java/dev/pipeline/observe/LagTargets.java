package dev.pipeline.observe;

import dev.pipeline.config.LogsKeys;
import dev.pipeline.config.ObserveKeys;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import java.util.List;

/**
 * The consumer groups watched by default: each pipeline's configured application id (its Kafka
 * Streams consumer group: {@code logs.application.id}, {@code orders.application.id}) with its
 * input topic, or the groups named by {@code lag.groups}.
 */
public final class LagTargets {
    private LagTargets() {}

    /** The pipelines' groups with their input topics, or the {@code lag.groups} list when set. */
    public static List<LagTarget> from(PipelineConfig config) {
        Topics topics = Topics.from(config);
        List<LagTarget> pipelines = List.of(
                LagTarget.of(config.getString(LogsKeys.APPLICATION_ID_CONFIG), topics.logsRaw()),
                LagTarget.of(config.getString(OrdersKeys.APPLICATION_ID_CONFIG), topics.orders()));
        return LagReport.targets(config.getList(ObserveKeys.LAG_GROUPS_CONFIG), pipelines);
    }
}
