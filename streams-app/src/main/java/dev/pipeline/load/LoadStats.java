package dev.pipeline.load;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/** Counters and ack-latency histogram of one run; updated by the generator and the producer's callback thread. */
final class LoadStats {
    /** Ack latencies above an hour are clamped: a histogram with a fixed range has fixed memory. */
    private static final long MAX_MICROS = 3_600_000_000L;

    private final String topic;
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final ConcurrentHistogram ackMicros = new ConcurrentHistogram(MAX_MICROS, 2);
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile long startNanos;
    private volatile long endNanos = -1;

    LoadStats(String topic) {
        this.topic = topic;
    }

    void start(long nanos) {
        startNanos = nanos;
    }

    void finish(long nanos) {
        endNanos = nanos;
    }

    void sent(boolean duplicate, boolean bad) {
        sent.increment();
        if (duplicate) {
            duplicates.increment();
        }
        if (bad) {
            malformed.increment();
        }
    }

    void acked(long latencyNanos) {
        acked.increment();
        ackMicros.recordValue(Math.max(0, Math.min(MAX_MICROS, latencyNanos / 1_000)));
    }

    void failed(Throwable error) {
        failed.increment();
        firstError.compareAndSet(null, error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    LoadSummary snapshot(long nowNanos) {
        long end = endNanos >= 0 ? endNanos : nowNanos;
        boolean any = ackMicros.getTotalCount() > 0;
        return new LoadSummary(topic, sent.sum(), acked.sum(), failed.sum(), duplicates.sum(), malformed.sum(),
                (end - startNanos) / 1e9,
                any ? ackMicros.getValueAtPercentile(50) / 1e3 : 0,
                any ? ackMicros.getValueAtPercentile(99) / 1e3 : 0,
                firstError.get());
    }
}
