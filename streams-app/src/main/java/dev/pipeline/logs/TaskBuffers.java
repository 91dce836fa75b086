package dev.pipeline.logs;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What the pipeline's tasks publish for the buffer gauges and /api/status (the conservation terms
 * go to the policy's ConservationStatus), summed over the tasks this
 * process owns now. Tasks come and go with rebalances: each registers a {@link Contribution} when
 * it starts and removes it when it closes. Written by stream threads, read by the HTTP thread.
 */
public final class TaskBuffers {
    private final ConcurrentMap<TaskId, Contribution> tasks = new ConcurrentHashMap<>();
    private volatile boolean draining;

    /** Registers (replacing any earlier registration with the same names) the four buffer gauges. */
    void registerGauges(PipelineMetrics metrics, String pipeline) {
        gauge(metrics, MetricNames.BUFFER_RECORDS, pipeline, c -> c.records.get());
        gauge(metrics, MetricNames.BUFFER_BYTES, pipeline, c -> c.bytes.get());
        gauge(metrics, MetricNames.BUFFER_CAPACITY_RECORDS, pipeline, c -> c.capacityRecords);
        gauge(metrics, MetricNames.BUFFER_CAPACITY_BYTES, pipeline, c -> c.capacityBytes);
    }

    private void gauge(PipelineMetrics metrics, String name, String pipeline, ToLongFunction<Contribution> term) {
        replaceGauge(metrics, name, pipeline, () -> sum(term));
    }

    /** Registers a gauge, replacing one of the same name and pipeline (a gauge keeps its first supplier). */
    static void replaceGauge(PipelineMetrics metrics, String name, String pipeline, Supplier<Number> value) {
        MeterRegistry registry = metrics.registry();
        Gauge old = registry.find(name).tag(MetricNames.TAG_PIPELINE, pipeline).gauge();
        if (old != null) {
            registry.remove(old);
        }
        metrics.gauge(name, pipeline, value);
    }

    Contribution register(TaskId task, long capacityRecords, long capacityBytes) {
        Contribution c = new Contribution(task, capacityRecords, capacityBytes);
        tasks.put(task, c);
        return c;
    }

    public long records() {
        return sum(c -> c.records.get());
    }

    public long bytes() {
        return sum(c -> c.bytes.get());
    }

    public long capacityRecords() {
        return sum(c -> c.capacityRecords);
    }

    public long capacityBytes() {
        return sum(c -> c.capacityBytes);
    }

    /** Shutdown is coming: tasks flush everything and let new events pass straight through. */
    void requestDrain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** Nothing buffered and no HTTP delivery open: the final commit carries every flushed batch. */
    boolean drained() {
        return sum(c -> c.records.get() + c.inFlight.get()) == 0;
    }

    public long inFlight() {
        return sum(c -> c.inFlight.get());
    }

    public int tasks() {
        return tasks.size();
    }

    private long sum(ToLongFunction<Contribution> term) {
        long s = 0;
        for (Contribution c : tasks.values()) {
            s += term.applyAsLong(c);
        }
        return s;
    }

    /** One task's terms, updated on every change. */
    final class Contribution implements AutoCloseable {
        private final TaskId task;
        private final long capacityRecords;
        private final long capacityBytes;
        private final AtomicLong records = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong inFlight = new AtomicLong();

        private Contribution(TaskId task, long capacityRecords, long capacityBytes) {
            this.task = task;
            this.capacityRecords = capacityRecords;
            this.capacityBytes = capacityBytes;
        }

        void buffered(long records, long bytes) {
            this.records.set(records);
            this.bytes.set(bytes);
        }

        void inFlight(long n) {
            inFlight.set(n);
        }

        @Override
        public void close() {
            tasks.remove(task, this);
        }
    }
}
