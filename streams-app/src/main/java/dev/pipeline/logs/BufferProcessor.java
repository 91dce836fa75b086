package dev.pipeline.logs;

import dev.pipeline.kafka.Topics;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
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
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded per-service buffer of one task. Events wait in a changelogged store (so a crash
 * loses nothing consumed) until their service is flushed as one {@link LogBatch}:
 * SIZE when it holds {@code logs.batch.max.records}, TICK when its oldest event is older than
 * {@code logs.flush.max.age.ms} (a wall-clock punctuator, so quiet services are flushed too),
 * OVERFLOW when EMIT_EARLY makes room, SHUTDOWN when the task closes cleanly. Late events
 * (record timestamp below stream time minus {@code logs.late.grace.ms}) are dropped on arrival.
 * What a full buffer does is {@link #makeRoom}, the one place {@link OverflowPolicy} is applied.
 *
 * <p>A flush needs the {@link BatchSink} to have room; while it has none (a slow HTTP sink),
 * services stay buffered, the buffer fills, and the overflow policy decides: that is the
 * backpressure chain. Drops go through {@link DropRecorder} and their DLQ records to the
 * {@link DeadLetters#SINK_NAME} child; the DLQ value is the event re-serialized with the input's
 * value serde (the same bytes a consumer of the input topic reads), its headers the original ones
 * for an incoming record, none for an evicted one. When entries leave the store: {@link Deletions}.
 */
final class BufferProcessor implements Processor<String, LogEvent, Object, Object> {
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
    private KeyValueStore<Long, byte[]> store;
    private Ledger ledger;
    private DropRecorder drops;
    /** Counts failed deliveries of batches already in the output topic: metrics only, not the ledger. */
    private DropRecorder sinkDrops;
    private PendingIndex index;
    private Deletions deletions;
    private TaskBuffers.Contribution published;
    private BatchSink sink;
    private Cancellable ticker;
    private Cancellable conservationTicker;
    private Counter recordsIn;
    private Counter recordsOut;
    private long nextSeq;
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
        this.store = context.getStateStore(STORE);
        this.ledger = new Ledger(context.getStateStore(Ledger.storeName(MetricNames.PIPELINE_LOGS)));
        this.drops = new DropRecorder(MetricNames.PIPELINE_LOGS, deps.metrics(), ledger);
        this.sinkDrops = new DropRecorder(MetricNames.PIPELINE_LOGS, deps.metrics(), null);
        this.recordsIn = deps.metrics().recordsIn(MetricNames.PIPELINE_LOGS);
        this.recordsOut = deps.metrics().recordsOut(MetricNames.PIPELINE_LOGS);
        this.index = new PendingIndex(settings.batchMaxRecords());
        this.deletions = new Deletions(store, !StreamsConfig.EXACTLY_ONCE_V2.equals(settings.processingGuarantee()));
        CommitSignal commits = context.getStateStore(CommitSignal.NAME);
        commits.attach(() -> deletions.committed(context.recordMetadata().isPresent()));
        restoreIndex();
        this.published = deps.tasks().register(context.taskId(), settings.bufferMaxRecords(), settings.bufferMaxBytes());
        publishBuffered();
        this.sink = deps.sinks().open(context.taskId());
        this.ticker = context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, this::tick);
        this.conservationTicker = deps.conservation().schedule(context, deps.conservationInterval(), ledger,
                index::records);
    }

    private void restoreIndex() {
        long maxSeq = -1;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                index.add(BufferEntry.decode(kv.value).pending(kv.key, kv.value.length));
                maxSeq = Math.max(maxSeq, kv.key);
            }
        }
        // never reuse a sequence number (a deletion of it may still be pending)
        nextSeq = Math.max(nextSeq, maxSeq + 1);
        if (!index.isEmpty()) {
            LOG.info("[logs] task {} restored {} buffered events ({} bytes) of {} services", context.taskId(),
                    index.records(), index.bytes(), index.services());
        }
    }

    @Override
    public void process(Record<String, LogEvent> record) {
        startClock();
        LogEvent event = record.value();
        validate(record.key(), event);
        deletions.applyConfirmed();
        handle(sink.poll(0));
        String service = record.key();
        byte[] eventBytes = deps.events().serializer().serialize(inputTopic, event);
        if (record.timestamp() < context.currentStreamTimeMs() - settings.lateGraceMs()) {
            countIn();
            dropIncoming(DropReason.LATE, record, eventBytes);
            return;
        }
        var meta = context.recordMetadata();
        BufferEntry entry = new BufferEntry(service, clockBaseMs, record.timestamp(), event.getTimestamp().toEpochMilli(),
                event.getLevel().ordinal(), meta.map(m -> m.partition()).orElse(-1),
                meta.map(m -> m.offset()).orElse(-1L), eventBytes);
        byte[] value = entry.encode();
        long size = BufferEntry.storedSize(value.length);
        boolean fits = size <= settings.bufferMaxBytes() && (fits(size) || makeRoom(settings.policy(), size));
        countIn();
        if (!fits) {
            // a record larger than the whole buffer can never fit, whatever the policy
            dropIncoming(DropReason.OVERFLOW, record, eventBytes);
            return;
        }
        if (deps.tasks().draining() && !sink.external()) {
            passThrough(service, event, entry.pending(-1, value.length));
            return;
        }
        long seq = nextSeq++;
        store.put(seq, value);
        index.add(entry.pending(seq, value.length));
        publishBuffered();
        if (index.count(service) >= settings.batchMaxRecords() && sink.hasRoom()) {
            flush(service, FlushReason.SIZE);
        }
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
                while (!fits(size) && !index.isEmpty()) {
                    evictOldest();
                }
                return fits(size);
            case FAIL:
                throw new BufferFullException("logs buffer of task " + context.taskId() + " is full ("
                        + index.records() + "/" + settings.bufferMaxRecords() + " records, " + index.bytes() + "/"
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
            handle(sink.poll(0));
            while (!fits(size) && sink.hasRoom()) {
                String service = early ? index.oldestService() : dueService();
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
                Pending oldest = index.oldest();
                waitMs = Math.min(waitMs, Math.max(1, oldest.arrivalMs() + settings.flushMaxAgeMs() - nowMs()));
            }
            handle(sink.poll(waitMs));
        }
    }

    private void tick(long timestamp) {
        startClock();
        deletions.applyConfirmed();
        handle(sink.poll(0));
        boolean draining = deps.tasks().draining();
        int budget = draining ? Integer.MAX_VALUE : settings.maxBatchesPerTick();
        while (budget > 0 && sink.hasRoom()) {
            String service = draining ? index.oldestService() : dueService();
            if (draining && service != null) {
                flush(service, FlushReason.SHUTDOWN);
                budget--;
                continue;
            }
            if (service == null) {
                break;
            }
            flush(service, reasonFor(service));
            budget--;
        }
        publishBuffered();
    }

    /** A service to flush now: a full one first, else the oldest if it is older than the max age. */
    private String dueService() {
        String full = index.firstFull();
        return full != null ? full : index.oldestArrivedBy(nowMs() - settings.flushMaxAgeMs());
    }

    private FlushReason reasonFor(String service) {
        return index.count(service) >= settings.batchMaxRecords() ? FlushReason.SIZE : FlushReason.TICK;
    }

    /** Emits up to one batch of the service's oldest events and removes them from the buffer. */
    private void flush(String service, FlushReason reason) {
        List<Pending> taken = index.take(service, settings.batchMaxRecords());
        if (taken.isEmpty()) {
            return;
        }
        List<String> samples = new ArrayList<>(Math.min(settings.sampleSize(), taken.size()));
        for (int i = 0; i < taken.size() && samples.size() < settings.sampleSize(); i++) {
            byte[] stored = store.get(taken.get(i).seq());
            if (stored != null) {
                samples.add(deps.events().deserializer().deserialize(inputTopic, BufferEntry.decode(stored).event())
                        .getMessage());
            }
        }
        LogBatch batch = Batches.summarise(service, taken, samples, reason, nowMs());
        context.forward(new Record<>(service, batch, Batches.outputTimestamp(taken)), OUTPUT_SINK);
        long id = taken.get(0).seq();
        if (sink.external()) {
            deletions.holdForSink(id, taken.stream().mapToLong(Pending::seq).toArray());
        } else {
            taken.forEach(p -> deletions.delete(p.seq()));
        }
        sink.submit(id, service, batch);
        ledger.out(taken.size());
        recordsOut.increment(taken.size());
        stalled = false;
        publishBuffered();
    }

    /**
     * While draining for shutdown, a new event is emitted at once as a batch of one and never
     * enters the store: entries written now could not have their deletion committed before the
     * final commit, and the next owner would emit them again.
     */
    private void passThrough(String service, LogEvent event, Pending p) {
        LogBatch batch = Batches.summarise(service, List.of(p), List.of(event.getMessage()), FlushReason.SHUTDOWN, nowMs());
        context.forward(new Record<>(service, batch, Batches.outputTimestamp(List.of(p))), OUTPUT_SINK);
        ledger.out(1);
        recordsOut.increment();
    }

    private void evictOldest() {
        Pending p = index.removeOldest();
        byte[] stored = store.get(p.seq());
        deletions.delete(p.seq());
        publishBuffered();
        BufferEntry e = stored == null ? null : BufferEntry.decode(stored);
        drops.drop(DropReason.OVERFLOW, key(p.service()), e == null ? null : e.event(), p.recordTs(),
                new RecordHeaders(), new DeadLetters.Source(inputTopic, e == null ? -1 : e.partition(),
                        e == null ? -1 : e.offset()), 1, null)
                .ifPresent(this::forwardDeadLetter);
    }

    private void dropIncoming(DropReason reason, Record<String, LogEvent> record, byte[] eventBytes) {
        DeadLetters.Source source = context.recordMetadata()
                .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
                .orElse(DeadLetters.Source.UNKNOWN);
        drops.drop(reason, key(record.key()), eventBytes, record.timestamp(), record.headers(), source, 1, null)
                .ifPresent(this::forwardDeadLetter);
    }

    /**
     * Outcomes of HTTP deliveries. A failed batch is dead-lettered (value: the batch, as the
     * output topic has it); it is counted by reason but not in the ledger, whose events already
     * reached the output topic. Either way the batch's entries may leave the store after the next commit.
     */
    private void handle(List<BatchSink.Result> results) {
        for (BatchSink.Result r : results) {
            r.failure().ifPresent(reason -> {
                String output = deps.topics().logsAggregated();
                byte[] value = deps.batches().serializer().serialize(output, r.batch());
                sinkDrops.drop(reason, key(r.service()), value, nowMs(), new RecordHeaders(),
                        new DeadLetters.Source(output, -1, -1L), r.attempts(), r.cause())
                        .ifPresent(this::forwardDeadLetter);
            });
            deletions.releaseFromSink(r.id());
        }
        if (published != null) {
            published.inFlight(sink.inFlight());
        }
    }

    private void forwardDeadLetter(Record<byte[], byte[]> dlq) {
        context.forward(dlq, DeadLetters.SINK_NAME);
    }

    /**
     * Cancels the tickers, then flushes what is buffered (reason SHUTDOWN) so the final commit
     * carries it, and waits (at most {@code logs.block.max.ms}) for HTTP deliveries in flight.
     * Whatever the sink stage cannot take stays in the store for the next owner. Flushed entries
     * are deleted when the final commit succeeds (the commit signal outlives this call); if it
     * fails, they stay and are emitted again by the next owner.
     */
    @Override
    public void close() {
        cancel(ticker);
        cancel(conservationTicker);
        try {
            // forwarding needs a record context: none exists if the task never processed or punctuated
            if (context != null && context.recordMetadata().isPresent()) {
                startClock();
                handle(sink.poll(0));
                while (!index.isEmpty() && sink.hasRoom()) {
                    flush(index.oldestService(), FlushReason.SHUTDOWN);
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.blockMaxMs());
                while (sink.inFlight() > 0 && System.nanoTime() < deadline) {
                    handle(sink.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                }
                deps.conservation().check(context.taskId().toString(), ledger, index.records());
            }
            if (index != null && (!index.isEmpty() || deletions.heldForSink() > 0)) {
                LOG.info("[logs] task {} closing with {} buffered events and {} batches in HTTP delivery left in its "
                        + "store for the next owner", context.taskId(), index.records(), deletions.heldForSink());
            }
        } finally {
            if (sink != null) {
                sink.close();
            }
            if (published != null) {
                published.close();
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
        return index.records() + 1 <= settings.bufferMaxRecords() && index.bytes() + size <= settings.bufferMaxBytes();
    }

    private void countIn() {
        ledger.in(1);
        recordsIn.increment();
    }

    private void publishBuffered() {
        published.buffered(index.records(), index.bytes());
        published.pendingDeletes(deletions.pending());
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
