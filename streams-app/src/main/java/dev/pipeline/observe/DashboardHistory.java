package dev.pipeline.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What the dashboard plots (records in/out per pipeline, lag per partition) for the last five
 * minutes, so a page opened now draws them at once instead of starting empty. Sampled with every
 * lag snapshot, on the lag monitor's thread: no thread of its own to start or stop. Records in/out
 * are the same counters {@code /api/status} reports; the page turns them into rates as it does
 * for live polls.
 */
public final class DashboardHistory implements Consumer<LagSnapshot> {
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private final MeterRegistry registry;
    private final Clock clock;
    private final SampleRing<Sample> ring;

    private record Sample(Map<String, Long> recordsIn, Map<String, Long> recordsOut, LagSnapshot lag) {
        Sample {
            recordsIn = Map.copyOf(recordsIn);
            recordsOut = Map.copyOf(recordsOut);
        }
    }

    /** @param interval how often snapshots arrive ({@code lag.poll.interval.ms}); sizes the ring */
    public DashboardHistory(MeterRegistry registry, Duration interval) {
        this(registry, interval, Clock.systemUTC());
    }

    DashboardHistory(MeterRegistry registry, Duration interval, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        this.ring = SampleRing.over(WINDOW, interval);
    }

    @Override
    public void accept(LagSnapshot snapshot) {
        ring.add(snapshot.at(), new Sample(counts(MetricNames.RECORDS_IN), counts(MetricNames.RECORDS_OUT), snapshot));
    }

    /**
     * Oldest first: {@code {"at": epochMillis, "pipelines": {name: {"recordsIn", "recordsOut"}},
     * "groups": {group: [{"topic", "partition", "lag", "lagSeconds"}]}}}.
     */
    public List<Map<String, Object>> toJson() {
        return ring.within(clock.instant()).stream().map(DashboardHistory::json).toList();
    }

    private static Map<String, Object> json(SampleRing.Timed<Sample> t) {
        Map<String, Object> pipelines = new TreeMap<>();
        t.value().recordsIn().forEach((p, n) -> pipelines.put(p, Map.of("recordsIn", n,
                "recordsOut", t.value().recordsOut().getOrDefault(p, 0L))));
        Map<String, Object> groups = new LinkedHashMap<>();
        for (GroupLag g : t.value().lag().groups()) {
            groups.put(g.group(), g.partitions().stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("topic", p.topic());
                m.put("partition", p.partition());
                m.put("lag", p.lag());
                m.put("lagSeconds", p.lagSeconds());
                return m;
            }).toList());
        }
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("at", t.at().toEpochMilli());
        sample.put("pipelines", pipelines);
        sample.put("groups", groups);
        return sample;
    }

    private Map<String, Long> counts(String name) {
        Map<String, Long> byPipeline = new TreeMap<>();
        for (Counter c : registry.find(name).counters()) {
            String pipeline = c.getId().getTag(MetricNames.TAG_PIPELINE);
            if (pipeline != null) {
                byPipeline.merge(pipeline, (long) c.count(), Long::sum);
            }
        }
        return byPipeline;
    }
}
