package dev.pipeline.orders;

import dev.pipeline.schema.OrderResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads an orders output topic read_committed, from the beginning, on its own thread while a test
 * runs, and keeps per order its results in order ({@code STATUS:vN}) and per result its
 * produce-to-result latency: the time it was read minus its record timestamp, which the pipeline
 * copies from the input event (so a test that sends with the send time as timestamp measures the
 * whole path, transaction commit included). Bounded by the test's load (one entry per result).
 */
final class ResultReader implements AutoCloseable {
    /** One result: when its input was sent, how long until it was readable. */
    private record Seen(String orderId, String status, long sentAtMs, long latencyMs) {}

    private final Map<String, List<String>> statuses = new ConcurrentHashMap<>();
    private final List<Seen> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    ResultReader(String bootstrap, String topic, org.apache.kafka.common.serialization.Serde<OrderResult> serde) {
        Deserializer<OrderResult> values = serde.deserializer();
        KafkaConsumer<String, OrderResult> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values);
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(() -> {
            try (consumer) {
                while (running.get()) {
                    for (ConsumerRecord<String, OrderResult> r : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.currentTimeMillis();
                        String status = r.value().getStatus() + ":v" + r.value().getVersion();
                        statuses.computeIfAbsent(r.key(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                .add(status);
                        seen.add(new Seen(r.key(), r.value().getStatus().toString(), r.timestamp(), now - r.timestamp()));
                    }
                }
            }
        }, "result-reader-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    List<String> statuses(String orderId) {
        List<String> s = statuses.get(orderId);
        if (s == null) {
            return List.of();
        }
        synchronized (s) {
            return List.copyOf(s);
        }
    }

    /** Every order has its last result: SHIPPED, or CREATED for the refused ones (by {@link OutageAuthorizer}). */
    boolean settled(int orders) {
        long done = statuses.entrySet().stream().filter(e -> {
            List<String> s = statuses(e.getKey());
            return !s.isEmpty() && (OutageAuthorizer.refused(e.getKey()) || s.get(s.size() - 1).startsWith("SHIPPED"));
        }).count();
        return done >= orders;
    }

    /** Latency percentiles of one group, in ms. */
    record Latencies(int count, long p50Ms, long p99Ms, long maxMs) {
        @Override
        public String toString() {
            return "n=" + count + " p50=" + p50Ms + " ms p99=" + p99Ms + " ms max=" + maxMs + " ms";
        }
    }

    /**
     * The latencies of results whose input was sent before {@code sentBeforeMs} (while the failing
     * orders' payments were parked): of the failing orders' PAID and SHIPPED results
     * ({@code failing} true: what waited in the parking), or of every result of the other orders
     * that were approved (false).
     */
    Latencies latencies(boolean failing, long sentBeforeMs) {
        return latencies(failing, Long.MIN_VALUE, sentBeforeMs);
    }

    /** As {@link #latencies(boolean, long)}, for the inputs sent in [{@code fromMs}, {@code beforeMs}). */
    Latencies latencies(boolean failing, long fromMs, long beforeMs) {
        long[] ms;
        synchronized (seen) {
            ms = seen.stream().filter(s -> s.sentAtMs() >= fromMs && s.sentAtMs() < beforeMs)
                    .filter(s -> failing ? OutageAuthorizer.failing(s.orderId()) && !s.status().equals("CREATED")
                            : !OutageAuthorizer.failing(s.orderId()) && !OutageAuthorizer.refused(s.orderId()))
                    .mapToLong(Seen::latencyMs).sorted().toArray();
        }
        if (ms.length == 0) {
            return new Latencies(0, 0, 0, 0);
        }
        return new Latencies(ms.length, at(ms, 0.50), at(ms, 0.99), ms[ms.length - 1]);
    }

    private static long at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
