package dev.pipeline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

/**
 * Runs a topology over a preloaded input and times it by Kafka Streams' own count of processed
 * records ({@code stream-thread-metrics / process-total}), sampled every few milliseconds. The
 * clock starts at the first processed record, so start-up, rebalance and the first fetch are
 * not in the figure; it stops when the count reaches the input size and the sampler has nothing
 * left in flight ({@link Sampler#settled}: e.g. parked events still waiting for their call). The
 * final commit is not timed; under EOS the commits made along the way are.
 */
final class StreamsTimer {
    private static final long SAMPLE_NANOS = 2_000_000L;

    /** Something to read while the topology runs (e.g. a buffer gauge); called at every sample. */
    @FunctionalInterface
    interface Sampler {
        void sample();

        /** False while the pipeline still holds taken-in records it has not finished (as of the last sample). */
        default boolean settled() {
            return true;
        }
    }

    private StreamsTimer() {}

    static Measurement run(Topology topology, Properties props, long expected, Duration timeout, Sampler sampler,
            Map<String, Double> extras) {
        KafkaStreams streams = new KafkaStreams(topology, props);
        try {
            streams.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            long t0 = -1;
            long c0 = 0;
            ProcessedCount count = new ProcessedCount(streams);
            while (true) {
                long processed = count.get();
                long now = System.nanoTime();
                sampler.sample();
                if (t0 < 0 && processed > 0) {
                    t0 = now;
                    c0 = processed;
                }
                if (processed >= expected && sampler.settled()) {
                    Map<String, Double> all = new HashMap<>(extras);
                    all.putAll(sampledExtras(sampler));
                    return new Measurement(processed - c0, Math.max(1, now - t0), all);
                }
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                        || state == KafkaStreams.State.PENDING_ERROR) {
                    throw new IllegalStateException("Kafka Streams stopped in state " + state + " after " + processed
                            + " of " + expected + " records");
                }
                if (now > deadline) {
                    throw new IllegalStateException("only " + processed + " of " + expected + " records processed within "
                            + timeout.toSeconds() + " s");
                }
                LockSupport.parkNanos(SAMPLE_NANOS);
            }
        } finally {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }

    private static Map<String, Double> sampledExtras(Sampler sampler) {
        return sampler instanceof ExtrasSampler e ? e.extras() : Map.of();
    }

    /** A sampler that contributes figures of its own to the measurement. */
    interface ExtrasSampler extends Sampler {
        Map<String, Double> extras();
    }

    /**
     * Records processed by all stream threads so far. {@code KafkaStreams.metrics()} copies every
     * metric of the client into a new map, thousands of entries: called every 2 ms it took a fifth
     * of the bench's CPU samples (JFR) away from the pipeline it measures. So the thread counters are
     * looked up once they exist and again only every second (a replaced thread has a new one).
     */
    private static final class ProcessedCount {
        private static final long RESCAN_NANOS = 1_000_000_000L;
        private final KafkaStreams streams;
        private List<Metric> counters = List.of();
        private long scannedAt;

        ProcessedCount(KafkaStreams streams) {
            this.streams = streams;
        }

        long get() {
            long now = System.nanoTime();
            if (counters.isEmpty() || now - scannedAt > RESCAN_NANOS) {
                counters = scan();
                scannedAt = now;
            }
            long total = 0;
            for (Metric m : counters) {
                if (m.metricValue() instanceof Number num) {
                    total += num.longValue();
                }
            }
            return total;
        }

        private List<Metric> scan() {
            List<Metric> found = new ArrayList<>();
            for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
                MetricName n = e.getKey();
                if ("stream-thread-metrics".equals(n.group()) && "process-total".equals(n.name())) {
                    found.add(e.getValue());
                }
            }
            return found;
        }
    }
}
