package dev.pipeline.bench;

import dev.pipeline.load.LoadKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Baselines with the plain clients: what the broker and the machine allow before any stream processing. */
final class ClientScenarios {
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);
    private static final int SAMPLE_RECORDS = 10_000;

    private ClientScenarios() {}

    /** Pre-serialized LogEvents sent as fast as acks=all allows; the producer's flush ends the clock. */
    static Scenario rawProducer() {
        return simple("raw producer", (env, options) -> {
            List<ProducerRecord<byte[], byte[]>> sample = sample(env, options);
            return runId -> {
                String out = env.freshTopic("producer-out", options.partitions());
                try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(env.producerProps(env.freshName("producer")),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
                    p.partitionsFor(out); // metadata before the clock starts
                    long t0 = System.nanoTime();
                    for (long i = 0; i < options.records(); i++) {
                        ProducerRecord<byte[], byte[]> r = sample.get((int) (i % sample.size()));
                        p.send(new ProducerRecord<>(out, r.key(), r.value()));
                    }
                    p.flush();
                    return new Measurement(options.records(), System.nanoTime() - t0);
                }
            };
        });
    }

    /** Reads the preloaded input from the beginning, no processing; the clock starts at the first records. */
    static Scenario rawConsumer() {
        return simple("raw consumer", (env, options) -> {
            String in = preloaded(env, options);
            return runId -> {
                try (KafkaConsumer<byte[], byte[]> c = consumer(env, env.freshName("consumer"))) {
                    List<TopicPartition> parts = assignFromStart(c, in);
                    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
                    long t0 = -1;
                    long first = 0;
                    long seen = 0;
                    while (seen < options.records()) {
                        int n = c.poll(Duration.ofMillis(100)).count();
                        if (t0 < 0 && n > 0) {
                            t0 = System.nanoTime();
                            first = n;
                        }
                        seen += n;
                        checkDeadline(deadline, seen, options.records(), parts);
                    }
                    return new Measurement(seen - first, System.nanoTime() - t0);
                }
            };
        });
    }

    /**
     * The loop a user writes by hand: poll, send each record, flush, commit (at-least-once).
     * Timed from the first records to the last flush.
     */
    static Scenario copyLoop() {
        return simple("hand-written consume-produce loop", (env, options) -> {
            String in = preloaded(env, options);
            return runId -> {
                String out = env.freshTopic("copy-out", options.partitions());
                try (KafkaConsumer<byte[], byte[]> c = consumer(env, env.freshName("copy"));
                     KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(env.producerProps(env.freshName("copy")),
                             new ByteArraySerializer(), new ByteArraySerializer())) {
                    c.subscribe(List.of(in));
                    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
                    long t0 = -1;
                    long first = 0;
                    long copied = 0;
                    while (copied < options.records()) {
                        ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(100));
                        if (batch.isEmpty()) {
                            checkDeadline(deadline, copied, options.records(), List.of());
                            continue;
                        }
                        if (t0 < 0) {
                            t0 = System.nanoTime();
                            first = batch.count();
                        }
                        for (ConsumerRecord<byte[], byte[]> r : batch) {
                            p.send(new ProducerRecord<>(out, r.key(), r.value()));
                        }
                        p.flush();
                        c.commitSync();
                        copied += batch.count();
                    }
                    return new Measurement(copied - first, System.nanoTime() - t0);
                }
            };
        });
    }

    static String preloaded(BenchEnvironment env, BenchOptions options) throws InterruptedException {
        String in = env.freshTopic("logs-in", options.partitions());
        env.preload(LoadKind.LOGS, in, options.records(), 1);
        return in;
    }

    private static List<ProducerRecord<byte[], byte[]>> sample(BenchEnvironment env, BenchOptions options) throws InterruptedException {
        String topic = env.freshTopic("sample", 1);
        int n = (int) Math.min(SAMPLE_RECORDS, options.records());
        env.preload(LoadKind.LOGS, topic, n, 1);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(n);
        try (KafkaConsumer<byte[], byte[]> c = consumer(env, env.freshName("sample"))) {
            assignFromStart(c, topic);
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (out.size() < n) {
                c.poll(Duration.ofMillis(100)).forEach(r -> out.add(new ProducerRecord<>(topic, r.key(), r.value())));
                checkDeadline(deadline, out.size(), n, List.of());
            }
        }
        return out;
    }

    static KafkaConsumer<byte[], byte[]> consumer(BenchEnvironment env, String group) {
        Map<String, Object> props = env.consumerProps(group);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> assignFromStart(KafkaConsumer<?, ?> c, String topic) {
        List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return parts;
    }

    private static void checkDeadline(long deadline, long seen, long expected, List<TopicPartition> parts) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("only " + seen + " of " + expected + " records within " + RUN_TIMEOUT.toMinutes()
                    + " min" + (parts.isEmpty() ? "" : " from " + parts));
        }
    }

    @FunctionalInterface
    interface Preparer {
        Scenario.Run prepare(BenchEnvironment env, BenchOptions options) throws Exception;
    }

    private static Scenario simple(String name, Preparer preparer) {
        return new Scenario() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String group() {
                return "baseline";
            }

            @Override
            public Guarantee guarantee() {
                return Guarantee.NONE;
            }

            @Override
            public Run prepare(BenchEnvironment env, BenchOptions options) throws Exception {
                return preparer.prepare(env, options);
            }
        };
    }
}
