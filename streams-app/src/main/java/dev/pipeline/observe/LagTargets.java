package dev.pipeline.observe;

import dev.pipeline.config.ObserveKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import java.util.List;

/**
 * The consumer groups watched by default: each pipeline's application id with its input topic,
 * or the groups named by {@code lag.groups}.
 */
public final class LagTargets {
    /** Application ids of the two pipelines (their Kafka Streams consumer groups). */
    public static final String LOGS_GROUP = "pipeline-logs";
    public static final String ORDERS_GROUP = "pipeline-orders";

    private LagTargets() {}

    /** The pipelines' groups with their input topics, or the {@code lag.groups} list when set. */
    public static List<LagTarget> from(PipelineConfig config) {
        Topics topics = Topics.from(config);
        List<LagTarget> pipelines = List.of(
                LagTarget.of(LOGS_GROUP, topics.logsRaw()),
                LagTarget.of(ORDERS_GROUP, topics.orders()));
        return LagReport.targets(config.getList(ObserveKeys.LAG_GROUPS_CONFIG), pipelines);
    }
}
