package dev.pipeline.bench;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.EmbeddedKafkaBroker;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.load.MalformedRecords;
import dev.pipeline.kafka.TopicReadiness;
import dev.pipeline.load.LoadClock;
import dev.pipeline.load.LoadGenerator;
import dev.pipeline.load.LoadKind;
import dev.pipeline.load.LoadOptions;
import dev.pipeline.load.LoadProducers;
import dev.pipeline.load.LoadProgress;
import dev.pipeline.load.LoadSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the scenarios share in one bench process: the broker (embedded unless bootstrap
 * servers are given), an admin client, an in-memory schema registry (serialization stays in this
 * process, so the registry's transport never enters a figure), a work directory for state, and
 * fresh topic names. Every topic and internal topic a scenario creates starts with
 * {@link #prefix()} and is deleted after the scenario.
 */
public final class BenchEnvironment implements AutoCloseable {
    /**
     * Commit interval of every Streams scenario, ALOS and EOS alike, so they pay the same commit
     * cost (EOS's default; ALOS defaults to 30 s). {@code --set commit.interval.ms=N} changes it for all.
     */
    public static final int DEFAULT_COMMIT_INTERVAL_MS = 100;

    private final EmbeddedKafkaBroker broker;
    private final Path workDir;
    private final String prefix;
    private final String registryScope;
    private final PipelineConfig config;
    private final Admin admin;
    private final SerdeFactory serdes;
    private final AtomicLong seq = new AtomicLong();
    private StalledSink stalledSink;

    private BenchEnvironment(EmbeddedKafkaBroker broker, Path workDir, PipelineConfig base) {
        this.broker = broker;
        this.workDir = workDir;
        this.prefix = "bench-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        this.registryScope = prefix;
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG, SchemaRegistryClients.MOCK_SCHEME + registryScope);
        overrides.put(CoreKeys.STATE_DIR_CONFIG, workDir.resolve("state").toString());
        if (broker != null) {
            overrides.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        }
        this.config = base.with(overrides);
        this.admin = Admin.create(new HashMap<>(config.kafkaClientProps()));
        this.serdes = SerdeFactory.fromConfig(config);
    }

    /** Starts an embedded broker under {@code workDir} when {@code base} names no bootstrap servers. */
    public static BenchEnvironment start(PipelineConfig base, Path workDir) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedKafkaBroker broker = base.embeddedBroker() ? EmbeddedKafkaBroker.start(workDir.resolve("broker"), 0) : null;
        try {
            return new BenchEnvironment(broker, workDir, base);
        } catch (RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
    }

    public boolean embeddedBroker() {
        return broker != null;
    }

    public String bootstrapServers() {
        return config.bootstrapServers().orElseThrow();
    }

    /** Bootstrap servers, the mock registry URL, the work dir as state dir; plus the user's Kafka settings. */
    public PipelineConfig config() {
        return config;
    }

    public SerdeFactory serdes() {
        return serdes;
    }

    /** Every topic and application id of this bench run starts with this. */
    public String prefix() {
        return prefix;
    }

    /** A name no earlier scenario or run used. */
    public String freshName(String what) {
        return prefix + "-" + what + "-" + seq.incrementAndGet();
    }

    public String freshTopic(String what, int partitions) {
        String name = freshName(what);
        createTopics(List.of(name), partitions);
        return name;
    }

    /**
     * Creates the topics with {@code topic.replication.factor}, as the app provisions its own: -1
     * (the default) takes the broker's default, 3 on {@code broker --nodes 3}.
     */
    public void createTopics(Collection<String> names, int partitions) {
        short rf = config.getShort(CoreKeys.TOPIC_REPLICATION_FACTOR_CONFIG);
        Optional<Short> replication = rf < 0 ? Optional.empty() : Optional.of(rf);
        List<NewTopic> topics = names.stream().map(n -> new NewTopic(n, Optional.of(partitions), replication)).toList();
        try {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            TopicReadiness.await(admin, names, 30_000);
        } catch (Exception e) {
            throw new IllegalStateException("creating bench topics " + names + " failed: " + e.getMessage(), e);
        }
    }

    /** Deletes every topic of this bench run (inputs, outputs, Streams' internal topics), freeing the disk between scenarios. */
    public void dropTopics() {
        try {
            List<String> ours = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(prefix)).toList();
            if (!ours.isEmpty()) {
                admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("deleting bench topics failed: " + e.getMessage(), e);
        }
    }

    /** Produces {@code count} generated events of {@code kind} to {@code topic} as fast as the broker takes them (not timed). */
    public LoadSummary preload(LoadKind kind, String topic, long count, long seed) throws InterruptedException {
        LoadOptions options = new LoadOptions(count, 0, 0, 0, kind.defaultKeys(), LoadOptions.DEFAULT_MAX_IN_FLIGHT, seed);
        LoadSummary s;
        // a producer per topic: one kept across scenarios would keep asking for the deleted topics' metadata
        try (KafkaProducer<byte[], byte[]> producer = LoadProducers.create(config.kafkaClientProps(), freshName("preload"))) {
            producer.partitionsFor(topic);
            s = LoadGenerator.of(producer, topic, kind.generator(seed, options.keys(), System::currentTimeMillis),
                    serdes, MalformedRecords.NONE, options, LoadClock.SYSTEM).run(LoadProgress.NONE);
        }
        if (s.acked() != count) {
            throw new IllegalStateException("preloading " + topic + " failed: " + s.line());
        }
        return s;
    }

    public Map<String, Object> producerProps(String clientId) {
        return LoadProducers.properties(config.kafkaClientProps(), clientId);
    }

    public Map<String, Object> consumerProps(String group) {
        Map<String, Object> p = new HashMap<>(config.kafkaClientProps());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return p;
    }

    /** Settings every Streams scenario shares; the scenario adds its topology's own. */
    public Properties streamsProps(String applicationId, Scenario.Guarantee guarantee) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientProps());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("streams").toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                guarantee == Scenario.Guarantee.EOS ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return p;
    }

    public long commitIntervalMs() {
        String given = config.kafkaClientProps().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        return given == null ? DEFAULT_COMMIT_INTERVAL_MS : Long.parseLong(given.trim());
    }

    /** URL of a local HTTP endpoint that accepts connections and never answers (a stalled sink). */
    public synchronized String stalledSinkUrl() {
        if (stalledSink == null) {
            stalledSink = StalledSink.start();
        }
        return stalledSink.url();
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        if (stalledSink != null) {
            stalledSink.close();
        }
        try {
            dropTopics();
        } catch (RuntimeException e) {
            // the broker is going away with its data when embedded; on a real cluster say what was left
            if (broker == null) {
                System.err.println("Warning: " + e.getMessage() + " (topics starting with " + prefix + " may be left)");
            }
        }
        admin.close(Duration.ofSeconds(10));
        if (broker != null) {
            broker.close();
        }
        SchemaRegistryClients.dropMock(registryScope);
        deleteRecursively(workDir);
    }

    static void deleteRecursively(Path dir) {
        try {
            org.apache.kafka.common.utils.Utils.delete(dir.toFile()); // recursive; nothing there is fine
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
