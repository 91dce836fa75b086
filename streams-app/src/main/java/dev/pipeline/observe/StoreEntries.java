package dev.pipeline.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code pipeline_store_entries{pipeline,store}} gauges: how many entries each state store
 * holds on this instance, summed over the tasks this instance owns now. A store belongs to its
 * stream thread, so the gauge cannot ask it at scrape time; instead each task's processor
 * {@link #register registers} a contribution when it starts, {@link Contribution#set sets} the
 * store's own estimate ({@code approximateNumEntries}) from a punctuator, and
 * {@link Contribution#close closes} it when the task leaves (rebalance, shutdown). Tasks come and
 * go; the gauge stays (at 0 when no task contributes), so dashboards never lose the series.
 *
 * <p>One instance per meter registry and pipeline set (the app shares one); thread safe: written
 * by stream threads, read by the HTTP thread.
 */
public final class StoreEntries {
    private final MeterRegistry registry;
    private final Map<Series, Map<String, Contribution>> series = new ConcurrentHashMap<>();

    public StoreEntries(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * A task's contribution to the store's gauge, starting at 0. Registering the same task again
     * (a task revived after corruption) replaces its earlier contribution.
     */
    public Contribution register(String pipeline, String store, String taskId) {
        Series key = new Series(pipeline, store);
        Map<String, Contribution> tasks = series.computeIfAbsent(key, k -> {
            Map<String, Contribution> m = new ConcurrentHashMap<>();
            registerGauge(k, m);
            return m;
        });
        Contribution c = new Contribution(tasks, taskId);
        tasks.put(taskId, c);
        return c;
    }

    /** The current sum for one store (for /api/status); 0 when nothing is registered. */
    public long entries(String pipeline, String store) {
        Map<String, Contribution> tasks = series.get(new Series(pipeline, store));
        return tasks == null ? 0L : sum(tasks);
    }

    /** Replaces a gauge of the same series left by an earlier instance on the same registry (tests reuse one). */
    private void registerGauge(Series key, Map<String, Contribution> tasks) {
        Gauge old = registry.find(MetricNames.STORE_ENTRIES).tag(MetricNames.TAG_PIPELINE, key.pipeline())
                .tag(MetricNames.TAG_STORE, key.store()).gauge();
        if (old != null) {
            registry.remove(old);
        }
        Gauge.builder(MetricNames.STORE_ENTRIES, () -> sum(tasks)).tag(MetricNames.TAG_PIPELINE, key.pipeline())
                .tag(MetricNames.TAG_STORE, key.store()).strongReference(true).register(registry);
    }

    private static long sum(Map<String, Contribution> tasks) {
        long s = 0;
        for (Contribution c : tasks.values()) {
            s += c.value.get();
        }
        return s;
    }

    private record Series(String pipeline, String store) {}

    /** One task's term of one store's gauge. */
    public static final class Contribution implements AutoCloseable {
        private final Map<String, Contribution> tasks;
        private final String taskId;
        private final AtomicLong value = new AtomicLong();

        private Contribution(Map<String, Contribution> tasks, String taskId) {
            this.tasks = tasks;
            this.taskId = taskId;
        }

        /** The store's estimate now; negative estimates (none known) count as 0. */
        public void set(long entries) {
            value.set(Math.max(0, entries));
        }

        public long get() {
            return value.get();
        }

        /** The task left: its entries no longer count here. Idempotent; never removes a newer registration. */
        @Override
        public void close() {
            tasks.remove(taskId, this);
        }
    }
}
