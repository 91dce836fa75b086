package dev.pipeline.cli;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.TopicProvisioner;
import dev.pipeline.kafka.Topics;
import dev.pipeline.load.CorpusMalformedRecords;
import dev.pipeline.load.LoadClock;
import dev.pipeline.load.LoadGenerator;
import dev.pipeline.load.LoadKind;
import dev.pipeline.load.LoadOptions;
import dev.pipeline.load.LoadProducers;
import dev.pipeline.load.LoadProgress;
import dev.pipeline.load.LoadSerdes;
import dev.pipeline.load.LoadSummary;
import dev.pipeline.load.MalformedRecords;
import dev.pipeline.kafka.TopicReadiness;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Load generator: realistic LogEvents or OrderEvents at a paced rate, with duplicates and poison pills on demand. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Load generator: produce LogEvents (to the logs input topic) or OrderEvents (to the orders "
                + "topic) in the Confluent Avro wire format, paced by a token bucket, with duplicates and malformed "
                + "records on demand. Creates the topic if it is missing. Prints progress and a summary; exits 1 if any send failed.",
            "Without --bootstrap-servers it produces to localhost:9092 (the default port of 'broker')."})
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "logs|orders", description = "Which input topic to feed: ${COMPLETION-CANDIDATES}.",
            completionCandidates = Kinds.class, converter = KindConverter.class)
    LoadKind kind;

    @Option(names = "--count", defaultValue = "100000", description = "Fresh events to send (duplicates and malformed come on top). Default ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS_PER_S", description = "Token-bucket rate over all records sent; 0 = as fast as the broker acks. Default ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--duplicates", defaultValue = "0", paramLabel = "FRACTION", description = "After each event, the chance of re-sending a recent one with the same eventId (a retrying client). Default ${DEFAULT-VALUE}.")
    double duplicates;

    @Option(names = "--malformed", defaultValue = "0", paramLabel = "FRACTION", description = "After each event, the chance of sending a malformed record (bad bytes from the bad-input corpus). Default ${DEFAULT-VALUE}.")
    double malformed;

    @Option(names = "--keys", paramLabel = "N", description = "Services (logs, default 50) or orders in flight (orders, default 1000).")
    Integer keys;

    @Option(names = "--max-in-flight", defaultValue = "" + LoadOptions.DEFAULT_MAX_IN_FLIGHT, paramLabel = "N",
            description = "Most records sent and not yet acknowledged; beyond it the generator waits. Default ${DEFAULT-VALUE}.")
    int maxInFlight;

    @Option(names = "--seed", paramLabel = "N", description = "Content seed (same seed, same events); default: random.")
    Long seed;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = common.loadOrLocalBroker("produce");
        Map<String, String> clientProps = new HashMap<>(config.kafkaClientProps());
        LoadOptions options;
        try {
            options = new LoadOptions(count, rate, duplicates, malformed, keys == null ? kind.defaultKeys() : keys,
                    maxInFlight, seed == null ? System.nanoTime() : seed);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return Main.EXIT_BAD_CONFIG;
        }
        Topics topics = Topics.from(config);
        String topic = kind.topic(topics);
        try {
            ensureTopic(config, clientProps, topic);
        } catch (TopicProvisioner.ProvisioningException e) {
            System.err.println("Error: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        System.err.printf("Producing %d %s events to '%s' at %s (schema registry %s)%n", options.count(), kind.label(), topic,
                clientProps.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG), LoadSerdes.registryUrl(config));
        LoadSummary summary;
        try (KafkaProducer<byte[], byte[]> producer = LoadProducers.create(clientProps, "pipeline-produce-" + kind.label());
             LoadProgress progress = LoadProgress.forConsole("produce " + kind.label(), options.count(), System.err, 2)) {
            SerdeFactory serdes = LoadSerdes.fromConfig(config);
            LoadGenerator<?> generator = LoadGenerator.of(producer, topic,
                    kind.generator(options.seed(), options.keys(), System::currentTimeMillis), serdes,
                    options.malformed() > 0 ? CorpusMalformedRecords.forKind(kind, topics, serdes) : MalformedRecords.NONE,
                    options, LoadClock.SYSTEM);
            summary = generator.run(progress);
        }
        System.out.println(summary.line());
        return summary.failed() > 0 || summary.acked() < summary.sent() ? Main.EXIT_FAILURE : Main.EXIT_OK;
    }

    /**
     * Creates the input topic as {@code run} would (topic.partitions, topic.replication.factor) if
     * it is missing, and waits until its partitions take writes.
     */
    private static void ensureTopic(PipelineConfig config, Map<String, String> clientProps, String topic)
            throws InterruptedException {
        int timeout = config.getInt(CoreKeys.ADMIN_TIMEOUT_MS_CONFIG);
        Map<String, Object> adminProps = new HashMap<>(clientProps);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeout, 10_000));
        try (Admin admin = Admin.create(adminProps)) {
            TopicProvisioner.ensure(admin, List.of(new TopicProvisioner.Spec(topic, config.getInt(CoreKeys.TOPIC_PARTITIONS_CONFIG),
                    config.getShort(CoreKeys.TOPIC_REPLICATION_FACTOR_CONFIG), false)), timeout);
            TopicReadiness.await(admin, List.of(topic), timeout);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TopicProvisioner.ProvisioningException("topic " + topic + " did not become writable within "
                    + timeout + " ms", e);
        }
    }

    static final class Kinds extends java.util.ArrayList<String> {
        Kinds() {
            for (LoadKind k : LoadKind.values()) {
                add(k.label());
            }
        }
    }

    static final class KindConverter implements picocli.CommandLine.ITypeConverter<LoadKind> {
        @Override
        public LoadKind convert(String value) {
            for (LoadKind k : LoadKind.values()) {
                if (k.label().equalsIgnoreCase(value)) {
                    return k;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not one of: " + String.join(", ", new Kinds()));
        }
    }
}
