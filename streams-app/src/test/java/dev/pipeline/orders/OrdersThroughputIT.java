package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.PipelineStreamsConfig;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.SerdeFactory;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the orders topology under exactly_once_v2 against the same topology under
 * at_least_once, in one run on one embedded broker (in this JVM, like the pipeline): throughput
 * over a pre-produced backlog (median of 3 alternating trials each) and produce-to-result latency
 * at a steady rate (result visible to a read_committed consumer minus the input's produce time).
 * A measurement, not a gate, so it runs only when asked:
 * {@code mvn -pl streams-app -am verify -Dtest=none -Dit.test=OrdersThroughputIT -Dorders.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
@EnabledIfSystemProperty(named = "orders.bench", matches = "true")
class OrdersThroughputIT {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersThroughputIT.class);
    private static final int BACKLOG = Integer.getInteger("orders.bench.records", 100_000);
    private static final int LATENCY_RATE = 1_000;
    private static final int LATENCY_SECONDS = 15;

    @TempDir
    Path tmp;

    private int trial;
    private OrdersCluster cluster;

    @AfterEach
    void closeCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void shouldMeasureExactlyOnceAgainstAtLeastOnce(TestBroker broker) throws Exception {
        String bootstrap = broker.bootstrapServers();
        cluster = new OrdersCluster(bootstrap);
        LOG.info("warm-up (not counted): {} records/s", Math.round(throughput(bootstrap, StreamsConfig.EXACTLY_ONCE_V2)));
        Map<String, List<Double>> rates = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (String g : List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE)) {
                double rate = throughput(bootstrap, g);
                rates.computeIfAbsent(g, k -> new ArrayList<>()).add(rate);
                LOG.info("throughput {} round {}: {} records/s", g, round + 1, Math.round(rate));
            }
        }
        Map<String, long[]> latency = new HashMap<>();
        for (String g : List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE)) {
            latency.put(g, latency(bootstrap, g));
        }
        StringBuilder table = new StringBuilder("\norders topology, " + BACKLOG + " records backlog, 4 partitions, 1 stream thread\n");
        table.append(String.format("%-16s %14s %28s %10s %10s%n", "guarantee", "median rec/s", "trials rec/s", "p50 ms", "p99 ms"));
        for (String g : List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE)) {
            List<Double> r = new ArrayList<>(rates.get(g));
            Collections.sort(r);
            table.append(String.format("%-16s %14d %28s %10d %10d%n", g, Math.round(r.get(1)),
                    r.stream().map(Math::round).toList(), latency.get(g)[0], latency.get(g)[1]));
        }
        LOG.info(table.toString());
        System.out.println(table);
        assertThat(rates.get(StreamsConfig.EXACTLY_ONCE_V2)).allSatisfy(r -> assertThat(r).isPositive());
    }

    /** Records/s from RUNNING until every input offset is committed. */
    private double throughput(String bootstrap, String guarantee) throws Exception {
        Setup s = setup(bootstrap, guarantee);
        try (KafkaProducer<String, OrderEvent> producer = producer(s.serdes)) {
            long base = System.currentTimeMillis() - BACKLOG;
            for (OrderLoad.Send send : OrderLoad.generate(trial, BACKLOG, 0.10, 300, 1, 60_000)) {
                producer.send(new ProducerRecord<>(s.topics.orders(), null, base + send.offsetMs(), send.key(), send.event()));
            }
            producer.flush();
        }
        AtomicLong runningAt = new AtomicLong();
        try (KafkaStreams streams = new KafkaStreams(s.pipeline.topology(), s.props);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    runningAt.compareAndSet(0, System.nanoTime());
                }
            });
            streams.start();
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> committed(admin, s) >= BACKLOG || streams.state() == KafkaStreams.State.ERROR);
            assertThat(streams.state()).isNotEqualTo(KafkaStreams.State.ERROR);
            long done = System.nanoTime();
            return BACKLOG / ((done - runningAt.get()) / 1e9);
        }
    }

    /** p50 and p99 in ms of (result seen by a read_committed consumer) - (input record's produce time). */
    private long[] latency(String bootstrap, String guarantee) throws Exception {
        Setup s = setup(bootstrap, guarantee);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> consumerProps = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.GROUP_ID_CONFIG, "bench-" + trial,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        int total = LATENCY_RATE * LATENCY_SECONDS;
        try (KafkaStreams streams = new KafkaStreams(s.pipeline.topology(), s.props);
                KafkaConsumer<String, OrderResult> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                        s.serdes.valueSerde(OrderResult.class).deserializer());
                KafkaProducer<String, OrderEvent> producer = producer(s.serdes)) {
            streams.start();
            await().atMost(Duration.ofMinutes(2)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
            consumer.subscribe(List.of(s.topics.ordersProcessed()));
            List<OrderLoad.Send> load = OrderLoad.generate(trial, total, 0.0, 300, 1, 3_600_000);
            long wanted = (long) (0.95 * expectedApplied(load));
            long start = System.nanoTime();
            int sent = 0;
            long seen = 0;
            while (sent < total || seen < wanted) {
                long due = start + (long) (sent * 1e9 / LATENCY_RATE);
                while (sent < total && System.nanoTime() >= due) {
                    OrderLoad.Send send = load.get(sent++);
                    producer.send(new ProducerRecord<>(s.topics.orders(), null, System.currentTimeMillis(), send.key(), send.event()));
                    due = start + (long) (sent * 1e9 / LATENCY_RATE);
                }
                for (ConsumerRecord<String, OrderResult> r : consumer.poll(Duration.ofMillis(5))) {
                    if (r.value().getStatus() != OrderStatus.EXPIRED) {
                        latencies.add(System.currentTimeMillis() - r.timestamp());
                        seen++;
                    }
                }
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(LATENCY_SECONDS + 60)) {
                    break;
                }
                if (sent < total) {
                    LockSupport.parkNanos(200_000); // pacing the producer, not waiting for Kafka
                }
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        assertThat(sorted).isNotEmpty();
        long p50 = sorted.get(sorted.size() / 2);
        long p99 = sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99)));
        LOG.info("latency {}: {} results, p50 {} ms, p99 {} ms", guarantee, sorted.size(), p50, p99);
        return new long[] {p50, p99};
    }

    private static long expectedApplied(List<OrderLoad.Send> load) {
        return OrdersVerifier.verify(toInputs(load), List.of(), OrdersVerifier.Rules.withPaymentTimeout(3_600_000)).expectedResults();
    }

    private static List<OrdersVerifier.Input> toInputs(List<OrderLoad.Send> load) {
        List<OrdersVerifier.Input> in = new ArrayList<>();
        for (int i = 0; i < load.size(); i++) {
            in.add(OrdersVerifier.Input.of(0, i, load.get(i).offsetMs(), load.get(i).key(), load.get(i).event()));
        }
        return in;
    }

    private record Setup(OrdersPipeline pipeline, Topics topics, SerdeFactory serdes, Properties props) {}

    private Setup setup(String bootstrap, String guarantee) throws Exception {
        trial++;
        OrdersCluster.Names names = new OrdersCluster.Names("bench-" + trial + "-" + guarantee.replace('_', '-'));
        cluster.createTopics(names);
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                CoreKeys.TOPIC_ORDERS_CONFIG, names.orders(), CoreKeys.TOPIC_ORDERS_PROCESSED_CONFIG, names.processed(),
                CoreKeys.TOPIC_DLQ_CONFIG, names.dlq(), OrdersKeys.APPLICATION_ID_CONFIG, names.applicationId(),
                OrdersKeys.PROCESSING_GUARANTEE_CONFIG, guarantee));
        Topics topics = Topics.from(config);
        SerdeFactory serdes = new SerdeFactory() {
            @Override
            public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
                return new AvroSerde<>(cluster.registry.client(), type);
            }
        };
        PipelineMetrics metrics = PipelineMetrics.inMemory();
        OrdersPipeline pipeline = OrdersPipeline.create(new PipelineContext(config, topics, serdes, metrics));
        Properties props = PipelineStreamsConfig.of(pipeline, config, metrics, Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                StreamsConfig.STATE_DIR_CONFIG, tmp.resolve(names.prefix()).toString()));
        return new Setup(pipeline, topics, serdes, props);
    }

    private KafkaProducer<String, OrderEvent> producer(SerdeFactory serdes) {
        return new KafkaProducer<>(cluster.producerProps(), new StringSerializer(), serdes.valueSerde(OrderEvent.class).serializer());
    }

    private static long committed(Admin admin, Setup s) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(
                s.props.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(s.topics.orders()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }
}
