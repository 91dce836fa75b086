package dev.pipeline.orders;

import static org.awaitility.Awaitility.await;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.testing.HttpRegistry;
import dev.pipeline.testing.PacedSender;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What the orders integration tests share on one broker: the schema registry served over HTTP
 * (child JVMs use it by URL), topic creation, a paced producer of an {@link OrderLoad}, output
 * progress and the verifier.
 */
final class OrdersCluster implements AutoCloseable {
    static final int PARTITIONS = 4;

    final String bootstrap;
    final HttpRegistry registry;
    final String registryUrl;
    private final Admin admin;
    private final List<PacedSender<OrderEvent>> senders = new CopyOnWriteArrayList<>();

    /** Topic names and application id of one run, so runs on one broker do not see each other. */
    record Names(String prefix) {
        String orders() {
            return prefix + "-orders";
        }

        String processed() {
            return prefix + "-orders-processed";
        }

        String dlq() {
            return prefix + "-dlq";
        }

        String applicationId() {
            return prefix + "-app";
        }
    }

    OrdersCluster(String bootstrap) {
        this.bootstrap = bootstrap;
        this.registry = new HttpRegistry(bootstrap);
        registryUrl = registry.url();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /**
     * Creates the run's topics and waits until the broker serves every partition as leader. Producing
     * into a partition the broker does not lead yet gets NOT_LEADER_OR_FOLLOWER, and an idempotent
     * producer with several batches in flight can then wedge on OUT_OF_ORDER_SEQUENCE_NUMBER (seen
     * here with 4.3.1). ListOffsets is answered by the partition leader only, so its success is the
     * signal; the admin client retries NOT_LEADER_OR_FOLLOWER itself.
     */
    void createTopics(Names n) throws Exception {
        List<String> names = List.of(n.orders(), n.processed(), n.dlq());
        // the broker's default replication factor: 1 on the test broker, 3 on a local 3-node cluster
        admin.createTopics(names.stream().map(t -> new NewTopic(t, Optional.of(PARTITIONS), Optional.empty())).toList())
                .all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String t : names) {
            for (int p = 0; p < PARTITIONS; p++) {
                request.put(new TopicPartition(t, p), OffsetSpec.latest());
            }
        }
        await("leaders of " + names).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).size() == request.size());
    }

    /** Producer settings of the tests: idempotent, one batch in flight so a retry cannot overtake. */
    Map<String, Object> producerProps() {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
    }

    /** Settings of a child {@code run --only orders} for this run (env, as an operator would set them). */
    Map<String, String> childEnv(Names n, String guarantee, long paymentTimeoutMs) {
        Map<String, String> env = new HashMap<>();
        env.put("PIPELINE_DEMO_RATE", "0");
        env.put("PIPELINE_SCHEMA_REGISTRY_URL", registryUrl);
        env.put("PIPELINE_TOPIC_ORDERS", n.orders());
        env.put("PIPELINE_TOPIC_ORDERS_PROCESSED", n.processed());
        env.put("PIPELINE_TOPIC_DLQ", n.dlq());
        env.put("PIPELINE_ORDERS_APPLICATION_ID", n.applicationId());
        env.put("PIPELINE_ORDERS_PROCESSING_GUARANTEE", guarantee);
        env.put("PIPELINE_ORDERS_PAYMENT_TIMEOUT_MS", Long.toString(paymentTimeoutMs));
        // static membership: a restarted instance takes its partitions back at once instead of
        // waiting for the killed member's session to time out
        env.put("KAFKA_GROUP_INSTANCE_ID", n.applicationId() + "-instance-1");
        return env;
    }

    /** Sends the load in the background at about {@code ratePerSecond}; completes when all are acknowledged. */
    CompletableFuture<Long> produce(String topic, List<OrderLoad.Send> load, long baseMs, int ratePerSecond) {
        return produce(topic, load, baseMs, ratePerSecond, eventId -> { }, () -> { }, () -> true);
    }

    /**
     * As {@link #produce(String, List, long, int)}, but ends early once {@code more} says so, and
     * tells {@code probe} each event as it is handed to the producer and each acknowledgement.
     */
    CompletableFuture<Long> produce(String topic, List<OrderLoad.Send> load, long baseMs, int ratePerSecond,
            ResultLatency probe, BooleanSupplier more) {
        return produce(topic, load, baseMs, ratePerSecond, probe::sent, probe::acked, more);
    }

    private CompletableFuture<Long> produce(String topic, List<OrderLoad.Send> load, long baseMs, int ratePerSecond,
            Consumer<String> onSend, Runnable onAck, BooleanSupplier more) {
        PacedSender<OrderEvent> sender = new PacedSender<>("orders-it-producer", producerProps(),
                new AvroSerde<>(registry.client(), OrderEvent.class));
        senders.add(sender);
        return sender.start(ratePerSecond, i -> {
            if (i >= load.size() || !more.getAsBoolean()) {
                return null;
            }
            OrderLoad.Send s = load.get((int) i);
            onSend.accept(s.event().getEventId());
            return new ProducerRecord<>(topic, null, baseMs + s.offsetMs(), s.key(), s.event());
        }, r -> onAck.run());
    }

    /** Records written to the topic so far, committed or not (sum of high watermarks). */
    long endOffsets(String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(i -> i.offset()).sum();
    }

    /** Input records not yet committed by the app's consumer group (committed offsets vs. end offsets). */
    long lag(Names n) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = admin
                .listConsumerGroupOffsets(n.applicationId()).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long done = committed.entrySet().stream().filter(e -> e.getKey().topic().equals(n.orders()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
        return endOffsets(n.orders()) - done;
    }

    /** Produce→result latency on the run's output, read in the background until closed. */
    ResultLatency latency(Names n) {
        return new ResultLatency(bootstrap, n.processed(), PARTITIONS, new AvroSerde<>(registry.client(), OrderResult.class));
    }

    VerificationReport verify(Names n, long paymentTimeoutMs) {
        return VerifierInputs.readAndVerify(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), n.orders(),
                n.processed(), n.dlq(), new AvroSerde<>(registry.client(), OrderEvent.class),
                new AvroSerde<>(registry.client(), OrderResult.class),
                OrdersVerifier.Rules.withPaymentTimeout(paymentTimeoutMs), Duration.ofSeconds(60));
    }

    @Override
    public void close() throws InterruptedException {
        for (PacedSender<OrderEvent> s : senders) {
            s.close();
        }
        admin.close();
        registry.close();
    }
}
