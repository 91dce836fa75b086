package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.app.PipelineApplication;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain contract of {@link StreamsPipeline#drain()} on a real broker: a pipeline that holds
 * every record back is asked to drain when the app closes, flushes from its punctuator, and
 * what it flushed is covered by the final commit (the records are in the output and their input
 * offsets committed), which output produced in {@code Processor.close()} would not be.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class DrainHookIT {
    private static final String IN = "drain-hook-in";
    private static final String OUT = "drain-hook-out";
    private static final String APP_ID = "drain-hook";
    private static final int RECORDS = 200;

    @TempDir
    Path tmp;

    @Test
    void shouldFlushHeldRecordsOnDrainAndCommitThemWithTheFinalCommit(TestBroker broker) throws Exception {
        HoldingPipeline pipeline = new HoldingPipeline();
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), CoreKeys.HTTP_PORT_CONFIG, 0,
                CoreKeys.STATE_DIR_CONFIG, tmp.toString(), CoreKeys.SCHEMA_REGISTRY_URL_CONFIG, "mock://drain-hook",
                CoreKeys.TOPIC_LOGS_RAW_CONFIG, IN, CoreKeys.TOPIC_LOGS_AGGREGATED_CONFIG, OUT));
        PipelineApplication app = PipelineApplication.start(config, List.<PipelineApplication.Factory>of(ctx -> pipeline), new NoSerdes());
        try {
            await().atMost(Duration.ofSeconds(60)).until(app::ready);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(IN, "k" + (i % 8), "v" + i));
                }
            }
            await("every record held").atMost(Duration.ofSeconds(60)).until(() -> pipeline.held.get() == RECORDS);
            assertThat(pipeline.drainCalled).isFalse();
        } finally {
            app.close();
        }

        assertThat(pipeline.drainCalled).as("drain() before close").isTrue();
        assertThat(pipeline.flushedInClose.get()).as("nothing was left for Processor.close()").isZero();
        assertThat(readAll(broker)).as("held records in the output").hasSize(RECORDS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            long committed = admin.listConsumerGroupOffsets(APP_ID).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .entrySet().stream().filter(e -> e.getKey().topic().equals(IN)).mapToLong(e -> e.getValue().offset()).sum();
            assertThat(committed).as("input offsets committed by the final commit").isEqualTo(RECORDS);
        }
    }

    private static List<String> readAll(TestBroker broker) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "drain-hook-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(OUT));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
                return out.size() >= RECORDS;
            });
        }
        return out;
    }

    /** Holds every record in memory until drained; commits only every 60 s, so only the final commit counts. */
    static final class HoldingPipeline implements StreamsPipeline {
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger flushedInClose = new AtomicInteger();
        final AtomicBoolean draining = new AtomicBoolean();
        volatile boolean drainCalled;

        @Override
        public String name() {
            return "holding";
        }

        @Override
        public Topology topology() {
            Topology t = new Topology();
            t.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), IN);
            t.addProcessor("hold", HoldProcessor::new, "in");
            t.addSink("out", OUT, Serdes.String().serializer(), Serdes.String().serializer(), "hold");
            return t;
        }

        @Override
        public Map<String, Object> streamsProperties() {
            return Map.of(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 60_000);
        }

        @Override
        public void drain() {
            drainCalled = true;
            draining.set(true);
        }

        @Override
        public boolean drained() {
            return held.get() == 0;
        }

        private final class HoldProcessor implements Processor<String, String, String, String> {
            private final ConcurrentLinkedQueue<Record<String, String>> buffer = new ConcurrentLinkedQueue<>();
            private ProcessorContext<String, String> context;

            @Override
            public void init(ProcessorContext<String, String> context) {
                this.context = context;
                context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, now -> {
                    if (draining.get()) {
                        flush();
                    }
                });
            }

            @Override
            public void process(Record<String, String> record) {
                buffer.add(record);
                held.incrementAndGet();
            }

            private int flush() {
                int n = 0;
                for (Record<String, String> r; (r = buffer.poll()) != null; n++) {
                    context.forward(r);
                    held.decrementAndGet();
                }
                return n;
            }

            @Override
            public void close() {
                flushedInClose.addAndGet(buffer.size());
            }
        }
    }

    /** The holding pipeline uses String serdes; the app still asks for a factory. */
    static final class NoSerdes implements PipelineApplication.Plugins {
        @Override
        public SerdeFactory serdes(PipelineConfig config) {
            return SerdeFactory.mock("drain-hook-it");
        }
    }
}
