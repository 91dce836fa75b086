package dev.pipeline.policy;

import dev.pipeline.observe.PipelineMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one pipeline's conservation equation, {@code in = out + dlq + dropped + buffered}, over
 * each task's {@link Ledger} (the terms are state, so they hold across restarts; see Ledger for
 * what each term means). A pipeline calls it from a wall-clock punctuator ({@link #schedule})
 * and on demand ({@link #check}), always on the task's stream thread.
 *
 * <p>A violation (a new imbalance of a task: it appears or its amount changes) increments
 * {@code pipeline_conservation_violations_total{pipeline}} and logs ERROR with the terms, once
 * per new imbalance, not once per tick. Every check publishes the task's terms to
 * {@link ConservationStatus} for {@code /api/status}.
 */
public final class ConservationCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ConservationCheck.class);

    private final String pipeline;
    private final PipelineMetrics metrics;
    private final ConservationStatus status;
    private final Clock clock;
    private final Map<String, Long> lastImbalance = new ConcurrentHashMap<>();

    public ConservationCheck(String pipeline, PipelineMetrics metrics, ConservationStatus status) {
        this(pipeline, metrics, status, Clock.systemUTC());
    }

    public ConservationCheck(String pipeline, PipelineMetrics metrics, ConservationStatus status, Clock clock) {
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.status = status;
        this.clock = clock;
    }

    /**
     * Checks a task's ledger now, with {@code buffered} records held by the task's buffers.
     *
     * @return whether the equation holds
     */
    public boolean check(String taskId, Ledger ledger, long buffered) {
        return check(taskId, ledger.snapshot(buffered), ledger.droppedByReason());
    }

    /** Checks given terms (e.g. a snapshot taken elsewhere on the stream thread). */
    public boolean check(String taskId, Ledger.Snapshot snapshot, Map<DropReason, Long> droppedByReason) {
        status.update(pipeline, taskId, new ConservationStatus.TaskTerms(snapshot, droppedByReason, clock.millis()));
        long imbalance = snapshot.imbalance();
        Long previous = lastImbalance.put(taskId, imbalance);
        if (imbalance != 0 && (previous == null || previous != imbalance)) {
            metrics.conservationViolations(pipeline).increment();
            status.violated(pipeline);
            LOG.error("[{}] conservation violated in task {}: in={} != out={} + dlq={} + dropped={} + buffered={} "
                    + "(imbalance {}, {} unaccounted for); dropped by reason: {}", pipeline, taskId, snapshot.in(),
                    snapshot.out(), snapshot.dlq(), snapshot.dropped(), snapshot.buffered(), imbalance,
                    imbalance > 0 ? "records" : "too many outcomes", droppedByReason);
        }
        return imbalance == 0;
    }

    /**
     * Checks the task's ledger every {@code interval} of wall-clock time. Cancel the returned
     * handle in the processor's {@code close()} and call {@link #forget}.
     */
    public Cancellable schedule(ProcessorContext<?, ?> context, Duration interval, Ledger ledger, LongSupplier buffered) {
        String taskId = context.taskId().toString();
        return context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, ts -> check(taskId, ledger, buffered.getAsLong()));
    }

    /** The task left this instance (closed or migrated): stop reporting its terms. */
    public void forget(String taskId) {
        lastImbalance.remove(taskId);
        status.remove(pipeline, taskId);
    }

    public String pipeline() {
        return pipeline;
    }
}
