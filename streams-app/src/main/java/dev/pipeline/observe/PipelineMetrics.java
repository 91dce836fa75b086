package dev.pipeline.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.Supplier;

/**
 * The app's own meters over one registry (Prometheus in the app, a simple one in tests).
 * Counters live as long as the process: they are rates for dashboards, not the accounting of
 * record (see the policy package's ledger for that).
 */
public final class PipelineMetrics {
    private final MeterRegistry registry;
    private final StoreEntries storeEntries;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.storeEntries = new StoreEntries(registry);
    }

    public static PipelineMetrics inMemory() {
        return new PipelineMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The {@code pipeline_store_entries} gauges of this registry (one set, shared by the pipelines). */
    public StoreEntries storeEntries() {
        return storeEntries;
    }

    public Counter recordsIn(String pipeline) {
        return registry.counter(MetricNames.RECORDS_IN, MetricNames.TAG_PIPELINE, pipeline);
    }

    public Counter recordsOut(String pipeline) {
        return registry.counter(MetricNames.RECORDS_OUT, MetricNames.TAG_PIPELINE, pipeline);
    }

    /**
     * @param reason the drop reason's label (the policy package owns the reasons; metrics only
     *     name them, so this package never depends on policy)
     */
    public Counter dropped(String pipeline, String reason) {
        return registry.counter(MetricNames.DROPPED_RECORDS,
                Tags.of(MetricNames.TAG_PIPELINE, pipeline, MetricNames.TAG_REASON, reason));
    }

    public Counter deadLettered(String pipeline, String reason) {
        return registry.counter(MetricNames.DLQ_RECORDS,
                Tags.of(MetricNames.TAG_PIPELINE, pipeline, MetricNames.TAG_REASON, reason));
    }

    public Counter retries(String pipeline) {
        return registry.counter(MetricNames.RETRIES, MetricNames.TAG_PIPELINE, pipeline);
    }

    public Counter duplicates(String pipeline) {
        return registry.counter(MetricNames.DUPLICATES, MetricNames.TAG_PIPELINE, pipeline);
    }

    public Counter conservationViolations(String pipeline) {
        return registry.counter(MetricNames.CONSERVATION_VIOLATIONS, MetricNames.TAG_PIPELINE, pipeline);
    }

    /** {@code pipeline_external_call_seconds{pipeline}}: one sample per external call attempt, with percentiles. */
    public io.micrometer.core.instrument.Timer externalCall(String pipeline) {
        return io.micrometer.core.instrument.Timer.builder(MetricNames.EXTERNAL_CALL).tag(MetricNames.TAG_PIPELINE, pipeline)
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
    }

    /** Registers (once per name+pipeline) a gauge read from the supplier at scrape time. */
    public void gauge(String name, String pipeline, Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value).tag(MetricNames.TAG_PIPELINE, pipeline)
                .strongReference(true).register(registry);
    }

    /**
     * Pre-creates the pipeline's unlabelled series at zero so dashboards and scrapes see them
     * before the first event; the per-reason series come from {@code policy.DropRecorder.initialiseMetrics}.
     */
    public void initialise(String pipeline) {
        recordsIn(pipeline);
        recordsOut(pipeline);
        retries(pipeline);
        duplicates(pipeline);
        conservationViolations(pipeline);
    }
}
