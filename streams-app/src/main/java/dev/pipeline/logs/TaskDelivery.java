package dev.pipeline.logs;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropRecorder;
import dev.pipeline.schema.LogBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * One task's side of its {@link BatchSink}: hands flushed batches over (each kept in the buffer's
 * store until its delivery ends), takes the outcomes back on the stream thread, dead-letters the
 * failed ones, and submits again the batches a previous owner of the task had in delivery.
 * {@link BufferProcessor} decides when; this class is what a delivery does to the task's state.
 * Stream thread only.
 */
final class TaskDelivery implements AutoCloseable {
    /** A batch restored with the store whose external delivery is to be tried again. */
    private record Resubmit(long id, LogBatch batch) {}

    private final BatchSink sink;
    private final LogsBuffer buffer;
    private final BufferProcessor.Deps deps;
    /** Counts failed deliveries of batches already in the output topic: metrics only, not the ledger. */
    private final DropRecorder drops;
    private final Consumer<Record<byte[], byte[]>> deadLetters;
    private final LongSupplier nowMs;
    private final ArrayDeque<Resubmit> resubmit = new ArrayDeque<>();

    TaskDelivery(BatchSink sink, LogsBuffer buffer, BufferProcessor.Deps deps,
            Consumer<Record<byte[], byte[]>> deadLetters, LongSupplier nowMs) {
        this.sink = sink;
        this.buffer = buffer;
        this.deps = deps;
        this.drops = new DropRecorder(MetricNames.PIPELINE_LOGS, deps.metrics(), null);
        this.deadLetters = deadLetters;
        this.nowMs = nowMs;
    }

    /**
     * Takes over the batches the restored store holds in delivery: queued to submit again, or
     * released when there is no external sink any more. Returns how many are queued.
     */
    int restore() {
        for (Map.Entry<Long, byte[]> held : buffer.heldForSink().entrySet()) {
            if (sink.external()) {
                resubmit.add(new Resubmit(held.getKey(),
                        deps.batches().deserializer().deserialize(deps.topics().logsAggregated(), held.getValue())));
            } else {
                buffer.releaseFromSink(held.getKey());
            }
        }
        return resubmit.size();
    }

    boolean hasRoom() {
        return sink.hasRoom();
    }

    boolean external() {
        return sink.external();
    }

    /** Deliveries in flight. */
    int inFlight() {
        return sink.inFlight();
    }

    /** Deliveries in flight and restored batches waiting to be submitted again. */
    int pending() {
        return sink.inFlight() + resubmit.size();
    }

    /** Hands a batch just forwarded to the output topic to an external sink (only when {@link #hasRoom()}). */
    void submit(String service, LogBatch batch) {
        if (sink.external()) {
            long id = buffer.holdForSink(deps.batches().serializer().serialize(deps.topics().logsAggregated(), batch));
            sink.submit(id, service, batch);
        }
    }

    /** Outcomes so far, then restored batches the sink has room for again; true when an outcome arrived. */
    boolean poll() {
        boolean any = handle(sink.poll(0));
        while (!resubmit.isEmpty() && sink.hasRoom()) {
            Resubmit r = resubmit.poll();
            sink.submit(r.id(), r.batch().getService(), r.batch());
        }
        return any;
    }

    /** Waits up to {@code waitMs} for the first outcome; true when one arrived. */
    boolean await(long waitMs) {
        return handle(sink.poll(waitMs));
    }

    /**
     * Outcomes of deliveries. A failed batch is dead-lettered (value: the batch, as the output
     * topic has it); it is counted by reason but not in the ledger, whose events already reached
     * the output topic. Either way the batch leaves the store with the next commit.
     */
    private boolean handle(List<BatchSink.Result> results) {
        for (BatchSink.Result r : results) {
            r.failure().ifPresent(reason -> {
                String output = deps.topics().logsAggregated();
                byte[] value = deps.batches().serializer().serialize(output, r.batch());
                drops.drop(reason, r.service().getBytes(StandardCharsets.UTF_8), value, nowMs.getAsLong(),
                        new RecordHeaders(), new DeadLetters.Source(output, -1, -1L), r.attempts(), r.cause())
                        .ifPresent(deadLetters);
            });
            buffer.releaseFromSink(r.id());
        }
        return !results.isEmpty();
    }

    @Override
    public void close() {
        sink.close();
    }
}
