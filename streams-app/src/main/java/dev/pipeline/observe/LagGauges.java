package dev.pipeline.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The lag gauges, replaced as a whole after every sample so partitions that went away (topic
 * deleted, group gone) leave the scrape: {@code pipeline_consumer_lag_records},
 * {@code pipeline_consumer_lag_seconds} per group/topic/partition, and
 * {@code pipeline_consumer_lag_status} per group (the {@link LagStatus} ordinal: 0 OK .. 4 ERR).
 * On ERR the last known lag stays exported, with the status gauge saying it is stale.
 * Unknown lag seconds are exported as NaN.
 */
final class LagGauges implements Consumer<LagSnapshot> {
    private final MultiGauge records;
    private final MultiGauge seconds;
    private final MultiGauge status;

    LagGauges(MeterRegistry registry) {
        records = MultiGauge.builder(MetricNames.CONSUMER_LAG_RECORDS)
                .description("Records between the group's committed offset and the partition's end offset").register(registry);
        seconds = MultiGauge.builder(MetricNames.CONSUMER_LAG_SECONDS)
                .description("Age of the oldest record the group has not committed yet, seconds").register(registry);
        status = MultiGauge.builder(MetricNames.CONSUMER_LAG_STATUS)
                .description("Lag status of the group: 0 OK, 1 WARN, 2 STALL, 3 STOP, 4 ERR").register(registry);
    }

    @Override
    public void accept(LagSnapshot snapshot) {
        List<MultiGauge.Row<?>> recordRows = new ArrayList<>();
        List<MultiGauge.Row<?>> secondRows = new ArrayList<>();
        List<MultiGauge.Row<?>> statusRows = new ArrayList<>();
        for (GroupLag g : snapshot.groups()) {
            statusRows.add(MultiGauge.Row.of(Tags.of(MetricNames.TAG_GROUP, g.group()), g.status().ordinal()));
            for (PartitionLag p : g.partitions()) {
                Tags tags = Tags.of(MetricNames.TAG_GROUP, g.group(), MetricNames.TAG_TOPIC, p.topic(),
                        MetricNames.TAG_PARTITION, Integer.toString(p.partition()));
                recordRows.add(MultiGauge.Row.of(tags, p.lag()));
                secondRows.add(MultiGauge.Row.of(tags, p.lagSeconds() == null ? Double.NaN : p.lagSeconds()));
            }
        }
        records.register(recordRows, true);
        seconds.register(secondRows, true);
        status.register(statusRows, true);
    }
}
