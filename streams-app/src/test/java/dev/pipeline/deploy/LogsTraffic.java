package dev.pipeline.deploy;

import static org.awaitility.Awaitility.await;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.testing.HttpRegistry;
import dev.pipeline.testing.PacedSender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Log traffic for the deployment tests: a paced background producer of {@link LogEvent}s over a
 * set of services (the key), and a read_committed reader of the aggregated output that sums the
 * events the batches account for, by service and by flush reason. "Nothing lost" is then: every
 * event sent is counted in some batch.
 */
public final class LogsTraffic implements AutoCloseable {
    private final String bootstrap;
    private final String inputTopic;
    private final String outputTopic;
    private final AvroSerde<LogEvent> eventSerde;
    private final AvroSerde<LogBatch> batchSerde;
    private final Admin admin;
    private final PacedSender<LogEvent> sender;
    private final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, LogBatch> reader;
    private final Output output = new Output();

    public LogsTraffic(String bootstrap, HttpRegistry registry, String inputTopic, String outputTopic) {
        this.bootstrap = bootstrap;
        this.inputTopic = inputTopic;
        this.outputTopic = outputTopic;
        this.eventSerde = new AvroSerde<>(registry.client(), LogEvent.class);
        this.batchSerde = new AvroSerde<>(registry.client(), LogBatch.class);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        this.reader = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), batchSerde);
        this.sender = new PacedSender<>("logs-traffic-sender", Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5), eventSerde);
    }

    /** Starts sending at about {@code ratePerSecond} over {@code services} keys until {@link #stopSending()}. */
    public void startSending(int ratePerSecond, int services) {
        sender.start(ratePerSecond, n -> {
            String service = "svc-" + (n % services);
            LogEvent e = LogEvent.newBuilder().setEventId("e-" + n).setTimestamp(Instant.now()).setService(service)
                    .setHost("host-" + (n % 3)).setLevel(LogLevel.values()[(int) (n % LogLevel.values().length)])
                    .setMessage("event " + n + " of " + service).build();
            return new ProducerRecord<>(inputTopic, service, e);
        }, r -> sent.computeIfAbsent(r.key(), s -> new AtomicLong()).incrementAndGet());
    }

    /** Stops the sender and returns the events acknowledged by the broker, by service. */
    public Map<String, Long> stopSending() throws InterruptedException, ExecutionException, TimeoutException {
        sender.stop();
        return sent();
    }

    public Map<String, Long> sent() {
        Map<String, Long> out = new TreeMap<>();
        sent.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long sentTotal() {
        return sent.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Reads the output topic (read_committed) as far as it is now and returns the running totals. */
    public Output readOutput() {
        if (reader.assignment().isEmpty()) {
            List<TopicPartition> parts = new ArrayList<>();
            reader.partitionsFor(outputTopic, Duration.ofSeconds(30)).forEach(p -> parts.add(new TopicPartition(outputTopic, p.partition())));
            reader.assign(parts);
            reader.seekToBeginning(parts);
        }
        Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment(), Duration.ofSeconds(30));
        await("output read to its end offsets").atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).until(() -> {
            for (ConsumerRecord<String, LogBatch> r : reader.poll(Duration.ofMillis(200))) {
                output.add(r.key(), r.value());
            }
            return end.entrySet().stream().allMatch(e -> reader.position(e.getKey()) >= e.getValue());
        });
        return output.copy();
    }

    /**
     * Waits until every service's events are all accounted for (at-least-once duplicates can make
     * the total reach the sent count while one service still lacks events).
     */
    Output awaitEveryServiceAtLeast(Map<String, Long> sentByService, Duration timeout) {
        await("every service's events in the output").atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            Output o = readOutput();
            return sentByService.entrySet().stream().allMatch(e -> o.byService().getOrDefault(e.getKey(), 0L) >= e.getValue());
        });
        return output.copy();
    }

    /** Waits until the batches account for at least {@code events} events. */
    public Output awaitOutputAtLeast(long events, Duration timeout) {
        await("output counts " + events + " events").atMost(timeout).pollInterval(Duration.ofMillis(500))
                .until(() -> readOutput().total() >= events);
        return output.copy();
    }

    /** The progress of {@code groupId} (the app's application id) on the input topic. */
    GroupProgress progress(String groupId) {
        return new GroupProgress(admin, groupId, inputTopic, 4);
    }

    Admin admin() {
        return admin;
    }

    @Override
    public void close() throws InterruptedException {
        sender.close();
        reader.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }

    /** Totals over the batches read so far. */
    public static final class Output {
        private final Map<String, Long> byService = new TreeMap<>();
        private final Map<FlushReason, Long> eventsByReason = new EnumMap<>(FlushReason.class);
        private final Map<FlushReason, Long> batchesByReason = new EnumMap<>(FlushReason.class);

        void add(String service, LogBatch b) {
            byService.merge(service, b.getCount(), Long::sum);
            eventsByReason.merge(b.getFlushReason(), b.getCount(), Long::sum);
            batchesByReason.merge(b.getFlushReason(), 1L, Long::sum);
        }

        Output copy() {
            Output o = new Output();
            o.byService.putAll(byService);
            o.eventsByReason.putAll(eventsByReason);
            o.batchesByReason.putAll(batchesByReason);
            return o;
        }

        public long total() {
            return byService.values().stream().mapToLong(Long::longValue).sum();
        }

        public Map<String, Long> byService() {
            return byService;
        }

        long events(FlushReason reason) {
            return eventsByReason.getOrDefault(reason, 0L);
        }

        long batches(FlushReason reason) {
            return batchesByReason.getOrDefault(reason, 0L);
        }

        /** Events counted in this output and not in {@code before}. */
        Output minus(Output before) {
            Output o = new Output();
            byService.forEach((k, v) -> o.byService.put(k, v - before.byService.getOrDefault(k, 0L)));
            eventsByReason.forEach((k, v) -> o.eventsByReason.put(k, v - before.eventsByReason.getOrDefault(k, 0L)));
            batchesByReason.forEach((k, v) -> o.batchesByReason.put(k, v - before.batchesByReason.getOrDefault(k, 0L)));
            return o;
        }

        @Override
        public String toString() {
            return "Output{total=" + total() + ", eventsByReason=" + eventsByReason + ", batchesByReason=" + batchesByReason + "}";
        }
    }
}
