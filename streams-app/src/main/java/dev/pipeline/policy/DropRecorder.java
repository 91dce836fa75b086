package dev.pipeline.policy;

import dev.pipeline.observe.PipelineMetrics;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a pipeline records a drop: the reason's counters, the task's {@link Ledger}, a
 * rate-limited WARN line with topic/partition/offset, and — for reasons that go there — the
 * dead-letter record the caller forwards to {@link DeadLetters#SINK_NAME}.
 */
public final class DropRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(DropRecorder.class);
    /** At most this many drop lines per second per recorder, so a poison flood cannot flood the log. */
    private static final int LOG_LINES_PER_SECOND = 10;

    private final String pipeline;
    private final PipelineMetrics metrics;
    private final Ledger ledger;
    private final AtomicLong windowStartMs = new AtomicLong();
    private final AtomicLong linesInWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public DropRecorder(String pipeline, PipelineMetrics metrics, Ledger ledger) {
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.ledger = ledger;
    }

    /** Pre-creates every series of the pipeline at zero, one per drop reason included. */
    public static void initialiseMetrics(PipelineMetrics metrics, String pipeline) {
        metrics.initialise(pipeline);
        for (DropReason r : DropReason.values()) {
            metrics.dropped(pipeline, r.label());
            if (r.toDeadLetterTopic()) {
                metrics.deadLettered(pipeline, r.label());
            }
        }
    }

    /**
     * Records one dropped record.
     *
     * @return the dead-letter record to forward to {@link DeadLetters#SINK_NAME}, empty for
     *     reasons that are counted only
     */
    public Optional<Record<byte[], byte[]>> drop(DropReason reason, byte[] key, byte[] value, long timestamp,
            Headers headers, DeadLetters.Source source, int attempts, Throwable cause) {
        count(reason);
        log(reason, source, cause);
        if (!reason.toDeadLetterTopic()) {
            return Optional.empty();
        }
        return Optional.of(DeadLetters.record(key, value, timestamp,
                DeadLetters.headers(headers, reason, pipeline, attempts, source, cause)));
    }

    /** Counts a drop (metrics and ledger) without building a record: for Kafka Streams' own handlers. */
    public void count(DropReason reason) {
        metrics.dropped(pipeline, reason.label()).increment();
        if (reason.toDeadLetterTopic()) {
            metrics.deadLettered(pipeline, reason.label()).increment();
        }
        if (reason == DropReason.DUPLICATE) {
            metrics.duplicates(pipeline).increment();
        }
        if (ledger != null) {
            ledger.dropped(reason, 1);
        }
    }

    /**
     * Counts a record that is lost although its reason normally goes to the dead-letter topic
     * (the dead-letter write itself failed): the reason's drop counter and the ledger, not the DLQ counter.
     */
    public void countLost(DropReason reason) {
        metrics.dropped(pipeline, reason.label()).increment();
        if (ledger != null) {
            ledger.dropped(reason, 1);
        }
    }

    public String pipeline() {
        return pipeline;
    }

    public void log(DropReason reason, DeadLetters.Source source, Throwable cause) {
        long now = System.currentTimeMillis();
        long start = windowStartMs.get();
        if (now - start >= 1_000 && windowStartMs.compareAndSet(start, now)) {
            long skipped = suppressed.getAndSet(0);
            linesInWindow.set(0);
            if (skipped > 0) {
                LOG.warn("[{}] {} more dropped records not logged in the last second (see pipeline_dropped_records_total)",
                        pipeline, skipped);
            }
        }
        if (linesInWindow.incrementAndGet() > LOG_LINES_PER_SECOND) {
            suppressed.incrementAndGet();
            return;
        }
        LOG.warn("[{}] dropped record reason={} topic={} partition={} offset={}{}", pipeline, reason.label(),
                source.topic(), source.partition(), source.offset(),
                cause == null ? "" : " cause=" + cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
}
