package dev.pipeline.orders;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.OrderResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Produce→result latency of the orders pipeline as a user sees it: the wall-clock time from the
 * moment the test's producer is handed an event to the moment its result (the {@link OrderResult}
 * whose {@code lastEventId} is that event) can be read committed from the output topic. A
 * background read_committed consumer keeps one sample per result, stamped with its event's send
 * time, so a disruption window can be cut out afterwards. It also counts what the producer was
 * handed and what the broker acknowledged (the input the verifier will find).
 */
final class ResultLatency implements AutoCloseable {
    /** One result: when its event was sent, and how long until it was readable (both nanoTime based). */
    record Sample(long sentNanos, long latencyNanos) {}

    private final Map<String, Long> sentNanos = new ConcurrentHashMap<>();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final AtomicLong handed = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final KafkaConsumer<String, OrderResult> consumer;
    private final Thread reader;
    private volatile boolean running = true;

    ResultLatency(String bootstrap, String outputTopic, int partitions, AvroSerde<OrderResult> results) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), results);
        List<TopicPartition> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(new TopicPartition(outputTopic, p));
        }
        consumer.assign(parts);
        reader = new Thread(this::read, "result-latency-" + outputTopic);
        reader.setDaemon(true);
        reader.start();
    }

    /** Called as the producer is handed {@code eventId}; a resend keeps the first time. */
    void sent(String eventId) {
        handed.incrementAndGet();
        sentNanos.putIfAbsent(eventId, System.nanoTime());
    }

    /** Called for each record the broker acknowledged. */
    void acked() {
        acked.incrementAndGet();
    }

    /** Records handed to the producer so far (resends included). */
    long handed() {
        return handed.get();
    }

    /** Records in the input topic by the producer's account. */
    long ackedCount() {
        return acked.get();
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<String, OrderResult> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    Long sent = r.value() == null ? null : sentNanos.get(r.value().getLastEventId());
                    if (sent != null) {
                        samples.add(new Sample(sent, now - sent));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The 99th percentile in ms over results whose event was sent in [fromNanos, toNanos]; -1 with none. */
    long p99Ms(long fromNanos, long toNanos) {
        long[] l = samples.stream().filter(s -> s.sentNanos() >= fromNanos && s.sentNanos() <= toNanos)
                .mapToLong(Sample::latencyNanos).sorted().toArray();
        return l.length == 0 ? -1 : l[Math.min(l.length - 1, (int) Math.ceil(l.length * 0.99) - 1)] / 1_000_000;
    }

    /**
     * The longest time in [fromNanos, toNanos] in which no new result became readable: the pause a
     * user of the output sees (it includes the commit interval, as every read_committed reader does).
     */
    long longestGapMs(long fromNanos, long toNanos) {
        long last = fromNanos;
        long longest = 0;
        for (Sample s : samples) {
            long at = s.sentNanos() + s.latencyNanos();
            if (at >= fromNanos && at <= toNanos) {
                longest = Math.max(longest, at - last);
                last = at;
            }
        }
        return Math.max(longest, toNanos - last) / 1_000_000;
    }

    /** Results read so far. */
    int results() {
        return samples.size();
    }

    /** Results in [fromNanos, toNanos] (to say what the p99 is over). */
    long count(long fromNanos, long toNanos) {
        return samples.stream().filter(s -> s.sentNanos() >= fromNanos && s.sentNanos() <= toNanos).count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(10_000);
    }
}
