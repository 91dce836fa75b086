package dev.pipeline.config;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Keys of the observe capability: the consumer-lag monitor behind /api/lag, the lag gauges and `lag`. */
public final class ObserveKeys {
    private ObserveKeys() {}

    public static final String LAG_GROUPS_CONFIG = "lag.groups";
    private static final String LAG_GROUPS_DOC = "Consumer groups the lag monitor watches. "
            + "Empty: the pipelines' own groups (their application ids).";

    public static final String LAG_POLL_INTERVAL_MS_CONFIG = "lag.poll.interval.ms";
    private static final String LAG_POLL_INTERVAL_MS_DOC = "How often the lag monitor samples committed and end offsets. "
            + "One sample costs four Admin requests (group offsets, topic partitions, end and start offsets) "
            + "plus one small fetch per lagging partition whose committed offset moved since the last sample.";

    public static final String LAG_WINDOW_SIZE_CONFIG = "lag.window.size";
    private static final String LAG_WINDOW_SIZE_DOC = "Samples in the sliding window the lag status is judged on: "
            + "WARN when lag grew in every step of a full window, STALL when the committed offset did not move "
            + "across a full window while lag > 0. A window spans window.size x poll.interval.";

    public static final String LAG_STOP_AFTER_MS_CONFIG = "lag.stop.after.ms";
    private static final String LAG_STOP_AFTER_MS_DOC = "STOP when a partition with lag > 0 has had no commit "
            + "that moved its offset for this long (the consumer is gone, not just slow).";

    public static final String LAG_ADMIN_TIMEOUT_MS_CONFIG = "lag.admin.timeout.ms";
    private static final String LAG_ADMIN_TIMEOUT_MS_DOC = "Bound on each call the lag monitor makes to the cluster; "
            + "past it the sample is ERR and the monitor tries again at the next interval.";

    public static final String LAG_MAX_TIMESTAMP_FETCHES_CONFIG = "lag.max.timestamp.fetches";
    private static final String LAG_MAX_TIMESTAMP_FETCHES_DOC = "Most single-record fetches per sample to read the "
            + "timestamp at a committed offset (cached until the offset moves); partitions beyond it report "
            + "unknown lag seconds (null in /api/lag, NaN in /metrics) until a later sample.";

    static ConfigDef addTo(ConfigDef def) {
        return def
            .define(LAG_GROUPS_CONFIG, Type.LIST, List.of(), Importance.MEDIUM, LAG_GROUPS_DOC)
            .define(LAG_POLL_INTERVAL_MS_CONFIG, Type.INT, 5_000, Range.between(100, 300_000), Importance.MEDIUM, LAG_POLL_INTERVAL_MS_DOC)
            .define(LAG_WINDOW_SIZE_CONFIG, Type.INT, 10, Range.between(2, 1_000), Importance.LOW, LAG_WINDOW_SIZE_DOC)
            .define(LAG_STOP_AFTER_MS_CONFIG, Type.INT, 120_000, Range.between(1_000, 86_400_000), Importance.LOW, LAG_STOP_AFTER_MS_DOC)
            .define(LAG_ADMIN_TIMEOUT_MS_CONFIG, Type.INT, 5_000, Range.between(500, 120_000), Importance.LOW, LAG_ADMIN_TIMEOUT_MS_DOC)
            .define(LAG_MAX_TIMESTAMP_FETCHES_CONFIG, Type.INT, 64, Range.between(0, 10_000), Importance.LOW, LAG_MAX_TIMESTAMP_FETCHES_DOC);
    }
}
