package dev.pipeline.logs;

import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.LogBatch;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The stage after the buffer, beside the output topic (which always takes a batch): where a
 * flushed batch is also delivered, and how much it can take. Used by the stream thread only; an
 * implementation with worker threads hands their outcomes back through {@link #poll}.
 */
interface BatchSink extends AutoCloseable {

    /** Whether a batch handed over now would be taken. A sink without room holds flushes back. */
    boolean hasRoom();

    /** Takes a flushed batch (only called when {@link #hasRoom()}). */
    void submit(long id, String service, LogBatch batch);

    /**
     * Outcomes of deliveries finished since the last call. When none is ready, waits up to
     * {@code waitMs} for the first one (a sink with nothing in flight just waits).
     */
    List<Result> poll(long waitMs);

    int inFlight();

    /** Whether batches go somewhere besides the output topic (then their entries wait for the outcome). */
    default boolean external() {
        return false;
    }

    /** Stops the stage; deliveries still in flight are abandoned (see the HTTP sink's guarantee). */
    @Override
    void close();

    /** How one delivery ended: {@code failure} empty on success. */
    record Result(long id, String service, LogBatch batch, Optional<DropReason> failure, int attempts,
            Throwable cause) {}

    /** No external sink: batches go to the output topic only, and there is always room. */
    BatchSink NONE = new BatchSink() {
        @Override
        public boolean hasRoom() {
            return true;
        }

        @Override
        public void submit(long id, String service, LogBatch batch) {}

        @Override
        public List<Result> poll(long waitMs) {
            if (waitMs > 0) {
                // a bounded wait the caller asked for (BLOCK waiting for a service to come due)
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(waitMs));
            }
            return List.of();
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public void close() {}
    };
}
