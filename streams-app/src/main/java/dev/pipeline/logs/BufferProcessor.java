package dev.pipeline.logs;

import dev.pipeline.config.OverflowPolicy;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.serde.WithBytes;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.observe.StoreEntries;
import dev.pipeline.policy.ConservationCheck;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.policy.DropRecorder;
import dev.pipeline.policy.InputValidation;
import dev.pipeline.policy.Ledger;
import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what the task's {@link LogsBuffer} does: events are appended on arrival and leave it as
 * one {@link LogBatch} per service: SIZE when it holds {@code logs.batch.max.records}, TICK when
 * its oldest event is older than {@code logs.flush.max.age.ms} (a wall-clock punctuator, so quiet
 * services are flushed too), OVERFLOW when EMIT_EARLY makes room, SHUTDOWN while the app drains.
 * Late events (record timestamp below stream time minus {@code logs.late.grace.ms}) are dropped on
 * arrival. What a full buffer does is {@link #makeRoom}, the one place {@link OverflowPolicy} is
 * applied.
 *
 * <p>A flush needs the {@link BatchSink} to have room; while it has none (a slow HTTP sink),
 * services stay buffered, the buffer fills, and the overflow policy decides: that is the
 * backpressure chain. Drops go through {@link DropRecorder} and their DLQ records to the
 * {@link DeadLetters#SINK_NAME} child, with the event's original input bytes as their value.
 *
 * <p>Everything this processor emits is emitted while processing or punctuating, so a commit
 * covers it; {@link #close()} emits nothing (Kafka Streams has committed the task by then): what
 * is buffered stays in the store and the next owner of the task goes on with it.
 */
final class BufferProcessor implements Processor<String, WithBytes<LogEvent>, Object, Object> {
    static final String NAME = "logs-buffer";
    static final String STORE = "logs-buffer-store";
    static final String OUTPUT_SINK = "logs-aggregated-sink";
    private static final Logger LOG = LoggerFactory.getLogger(BufferProcessor.class);

    /** Opens the sink stage of one task (the HTTP sink, or {@link BatchSink#NONE}). */
    @FunctionalInterface
    interface SinkFactory {
        BatchSink open(TaskId task);
    }

    /** What every task's processor shares. */
    record Deps(LogsSettings settings, Serde<LogEvent> events, Serde<LogBatch> batches, Topics topics,
            PipelineMetrics metrics, TaskBuffers tasks, SinkFactory sinks, InputValidation validation,
            ConservationCheck conservation, Duration conservationInterval) {}

    private final Deps deps;
    private final LogsSettings settings;
    private final String inputTopic;
    private ProcessorContext<Object, Object> context;
    private LogsBuffer buffer;
    private Ledger ledger;
    private DropRecorder drops;
    private TaskBuffers.Contribution published;
    private StoreEntries.Contribution bufferRows;
    private StoreEntries.Contribution ledgerRows;
    private KeyValueStore<String, Long> ledgerStore;
    private TaskDelivery sink;
    private Cancellable ticker;
    private Cancellable conservationTicker;
    private Counter recordsIn;
    private Counter recordsOut;
    /** A wait for room timed out: later records take the fallback at once until the sink takes a batch. */
    private boolean stalled;
    private long clockBaseMs;
    private long clockBaseNanos;

    BufferProcessor(Deps deps) {
        this.deps = deps;
        this.settings = deps.settings();
        this.inputTopic = deps.topics().logsRaw();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.buffer = context.getStateStore(STORE);
        this.ledgerStore = context.getStateStore(Ledger.storeName(MetricNames.PIPELINE_LOGS));
        this.ledger = new Ledger(ledgerStore);
        this.drops = new DropRecorder(MetricNames.PIPELINE_LOGS, deps.metrics(), ledger);
        this.recordsIn = deps.metrics().recordsIn(MetricNames.PIPELINE_LOGS);
        this.recordsOut = deps.metrics().recordsOut(MetricNames.PIPELINE_LOGS);
        buffer.load(settings.batchMaxRecords());
        this.sink = new TaskDelivery(deps.sinks().open(context.taskId()), buffer, deps, this::forwardDeadLetter,
                this::nowMs);
        int resubmit = sink.restore();
        if (!buffer.isEmpty() || resubmit > 0) {
            LOG.info("[logs] task {} restored {} buffered events ({} bytes) of {} services and {} batches to deliver",
                    context.taskId(), buffer.records(), buffer.bytes(), buffer.services(), resubmit);
        }
        this.published = deps.tasks().register(context.taskId(), settings.bufferMaxRecords(), settings.bufferMaxBytes());
        this.bufferRows = deps.metrics().storeEntries().register(MetricNames.PIPELINE_LOGS, STORE,
                context.taskId().toString());
        this.ledgerRows = deps.metrics().storeEntries().register(MetricNames.PIPELINE_LOGS, ledgerStore.name(),
                context.taskId().toString());
        publishBuffered();
        publishRows();
        this.ticker = context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, this::tick);
        this.conservationTicker = deps.conservation().schedule(context, deps.conservationInterval(), ledger,
                buffer::records);
    }

    @Override
    public void process(Record<String, WithBytes<LogEvent>> record) {
        startClock();
        WithBytes<LogEvent> in = record.value();
        LogEvent event = in == null ? null : in.value();
        validate(record.key(), event);
        pollSink();
        String service = record.key();
        if (record.timestamp() < context.currentStreamTimeMs() - settings.lateGraceMs()) {
            countIn();
            dropIncoming(DropReason.LATE, record, in.bytes());
            return;
        }
        long size = LogsBuffer.entrySize(in.bytes().length);
        boolean fits = size <= settings.bufferMaxBytes() && (fits(size) || makeRoom(settings.policy(), size));
        countIn();
        if (!fits) {
            // a record larger than the whole buffer can never fit, whatever the policy
            dropIncoming(DropReason.OVERFLOW, record, in.bytes());
            return;
        }
        var meta = context.recordMetadata();
        int count = buffer.append(service, clockBaseMs, record.timestamp(), event.getTimestamp().toEpochMilli(),
                event.getLevel().ordinal(), meta.map(m -> m.partition()).orElse(-1),
                meta.map(m -> m.offset()).orElse(-1L), in.bytes());
        if (deps.tasks().draining() && !sink.external()) {
            // draining for shutdown: what arrives now leaves at once, so the final commit carries it
            flush(service, FlushReason.SHUTDOWN);
        } else if (count >= settings.batchMaxRecords() && sink.hasRoom()) {
            flush(service, FlushReason.SIZE);
        }
        publishBuffered();
    }

    /** The input contract; a violation is thrown (reason processing, to the DLQ) before the ledger counts it. */
    private void validate(String key, LogEvent event) {
        InputValidation v = deps.validation();
        v.requireKeyed(key, event, event == null ? null : event.getService());
        v.requireText("eventId", event.getEventId());
        v.requireLength("host", event.getHost());
        v.requireLength("message", event.getMessage());
        v.requireLength("traceId", event.getTraceId());
        v.requireTimestamp("timestamp", event.getTimestamp().toEpochMilli(), clockBaseMs);
    }

    /**
     * The overflow policy, applied in this one place.
     *
     * @return true when the record now fits; false when it is to be dropped (reason overflow)
     * @throws BufferFullException under FAIL
     */
    private boolean makeRoom(OverflowPolicy policy, long size) {
        switch (policy) {
            case BLOCK:
                return awaitRoom(size, false) || makeRoom(settings.fallback(), size);
            case EMIT_EARLY:
                return awaitRoom(size, true) || makeRoom(settings.fallback(), size);
            case DROP_NEWEST:
                return false;
            case DROP_OLDEST:
                while (!fits(size) && !buffer.isEmpty()) {
                    evictOldest();
                }
                return fits(size);
            case FAIL:
                throw new BufferFullException("logs buffer of task " + context.taskId() + " is full ("
                        + buffer.records() + "/" + settings.bufferMaxRecords() + " records, " + buffer.bytes() + "/"
                        + settings.bufferMaxBytes() + " bytes) and logs.buffer.overflow.policy=FAIL: stopping. "
                        + "Raise logs.buffer.max.records / logs.buffer.max.bytes or choose another policy.");
            default:
                throw new IllegalStateException("unknown overflow policy " + policy);
        }
    }

    /**
     * Makes room by flushing what the sink stage accepts: due services (BLOCK) or the oldest one
     * (EMIT_EARLY). Waits for sink results or for the oldest service to come due, at most
     * {@code logs.block.max.ms}; not at all after an earlier wait timed out and the sink has not
     * taken a batch since.
     */
    private boolean awaitRoom(long size, boolean early) {
        long deadline = System.nanoTime() + (stalled ? 0 : TimeUnit.MILLISECONDS.toNanos(settings.blockMaxMs()));
        while (true) {
            pollSink();
            while (!fits(size) && sink.hasRoom()) {
                String service = early ? buffer.oldestService() : dueService();
                if (service == null) {
                    break;
                }
                flush(service, early ? FlushReason.OVERFLOW : reasonFor(service));
            }
            if (fits(size)) {
                return true;
            }
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                stalled = true;
                return false;
            }
            long waitMs = remainingMs;
            if (sink.hasRoom()) {
                // nothing is due yet (BLOCK): wake when the oldest service is
                waitMs = Math.min(waitMs, Math.max(1, buffer.oldestArrivalMs() + settings.flushMaxAgeMs() - nowMs()));
            }
            if (sink.await(waitMs)) {
                publishBuffered();
            }
        }
    }

    private void tick(long timestamp) {
        startClock();
        pollSink();
        boolean draining = deps.tasks().draining();
        int budget = draining ? Integer.MAX_VALUE : settings.maxBatchesPerTick();
        while (budget > 0 && sink.hasRoom()) {
            String service = draining ? buffer.oldestService() : dueService();
            if (service == null) {
                break;
            }
            flush(service, draining ? FlushReason.SHUTDOWN : reasonFor(service));
            budget--;
        }
        publishBuffered();
        publishRows();
    }

    /** {@code pipeline_store_entries} of the task's two stores, once per tick. */
    private void publishRows() {
        bufferRows.set(buffer.rows());
        ledgerRows.set(ledgerStore.approximateNumEntries());
    }

    /** A service to flush now: a full one first, else the oldest if it is older than the max age. */
    private String dueService() {
        String full = buffer.firstFull();
        if (full != null || buffer.isEmpty()) {
            return full;
        }
        return buffer.oldestArrivalMs() <= nowMs() - settings.flushMaxAgeMs() ? buffer.oldestService() : null;
    }

    private FlushReason reasonFor(String service) {
        return buffer.count(service) >= settings.batchMaxRecords() ? FlushReason.SIZE : FlushReason.TICK;
    }

    /** Emits up to one batch of the service's oldest events; they leave the buffer. */
    private void flush(String service, FlushReason reason) {
        Taken taken = buffer.take(service, settings.batchMaxRecords(), settings.sampleSize());
        if (taken == null) {
            return;
        }
        List<String> samples = new ArrayList<>(taken.samples().size());
        for (byte[] event : taken.samples()) {
            samples.add(deps.events().deserializer().deserialize(inputTopic, event).getMessage());
        }
        LogBatch batch = Batches.summarise(taken, samples, reason, nowMs());
        context.forward(new Record<>(service, batch, taken.maxRecordTs()), OUTPUT_SINK);
        sink.submit(service, batch);
        ledger.out(taken.count());
        recordsOut.increment(taken.count());
        stalled = false;
    }

    private void evictOldest() {
        Evicted e = buffer.evictOldest();
        drops.drop(DropReason.OVERFLOW, key(e.service()), e.event(), e.recordTs(), new RecordHeaders(),
                new DeadLetters.Source(inputTopic, e.partition(), e.offset()), 1, null)
                .ifPresent(this::forwardDeadLetter);
    }

    private void dropIncoming(DropReason reason, Record<String, WithBytes<LogEvent>> record, byte[] eventBytes) {
        DeadLetters.Source source = context.recordMetadata()
                .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
                .orElse(DeadLetters.Source.UNKNOWN);
        drops.drop(reason, key(record.key()), eventBytes, record.timestamp(), record.headers(), source, 1, null)
                .ifPresent(this::forwardDeadLetter);
    }

    /** Sink outcomes first, then restored batches the sink has room for again. */
    private void pollSink() {
        if (sink.poll() && published != null) {
            publishBuffered();
        }
    }

    private void forwardDeadLetter(Record<byte[], byte[]> dlq) {
        context.forward(dlq, DeadLetters.SINK_NAME);
    }

    /**
     * Cancels the tickers and stops the sink stage. Emits nothing: Kafka Streams has already made
     * the task's last commit, which carried the buffer's state; what is buffered, and batches whose
     * HTTP delivery had not ended, stay in the store for the next owner.
     */
    @Override
    public void close() {
        cancel(ticker);
        cancel(conservationTicker);
        try {
            if (buffer != null && context.recordMetadata().isPresent()) {
                deps.conservation().check(context.taskId().toString(), ledger, buffer.records());
            }
            if (buffer != null && (!buffer.isEmpty() || sink.inFlight() > 0)) {
                LOG.info("[logs] task {} closing with {} buffered events and {} batches in HTTP delivery left in its "
                        + "store for the next owner", context.taskId(), buffer.records(), sink.inFlight());
            }
        } finally {
            if (sink != null) {
                sink.close();
            }
            if (published != null) {
                published.close();
                bufferRows.close();
                ledgerRows.close();
            }
            if (context != null) {
                deps.conservation().forget(context.taskId().toString());
            }
        }
    }

    private static void cancel(Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    private boolean fits(long size) {
        return buffer.records() + 1 <= settings.bufferMaxRecords() && buffer.bytes() + size <= settings.bufferMaxBytes();
    }

    private void countIn() {
        ledger.in(1);
        recordsIn.increment();
    }

    private void publishBuffered() {
        published.buffered(buffer.records(), buffer.bytes());
        published.inFlight(sink.pending());
    }

    /** Wall clock: the runtime's cached time, advanced by how long this call has been waiting. */
    private void startClock() {
        clockBaseMs = context.currentSystemTimeMs();
        clockBaseNanos = System.nanoTime();
    }

    private long nowMs() {
        return clockBaseMs + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - clockBaseNanos);
    }

    private static byte[] key(String service) {
        return service == null ? null : service.getBytes(StandardCharsets.UTF_8);
    }
}
