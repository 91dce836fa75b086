package dev.pipeline.app;

import dev.pipeline.config.ConfigError;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.BoundedRocksDbMemory;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.ExceptionHandling;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The one place a pipeline's Kafka Streams settings are assembled, for {@code run}, {@code bench}
 * and the tests alike, always in this order: the Kafka client keys of the config, the state dir
 * and replication factor, the exception handlers with the dead-letter topic, the pipeline's own
 * settings (which may replace a handler, as the logs pipeline's FAIL policy does), the RocksDB
 * budget, and last what the caller runs differently ({@link #RUN_OVERRIDES}: the bench's fresh
 * application id, guarantee and commit interval; a test's state dir). Nothing else may be
 * overridden, so a bench or a test always measures the handlers {@code run} uses.
 */
public final class PipelineStreamsConfig {
    /** What a caller may set differently from {@code run}. */
    public static final Set<String> RUN_OVERRIDES = Set.of(StreamsConfig.APPLICATION_ID_CONFIG,
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
            StreamsConfig.STATE_DIR_CONFIG, StreamsConfig.NUM_STREAM_THREADS_CONFIG,
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);

    private PipelineStreamsConfig() {}

    public static Properties of(StreamsPipeline p, PipelineConfig config, PipelineMetrics metrics) {
        return of(p, config, metrics, Map.of());
    }

    /** As {@code run} configures {@code p}, then {@code overrides} (keys of {@link #RUN_OVERRIDES} only). */
    public static Properties of(StreamsPipeline p, PipelineConfig config, PipelineMetrics metrics,
            Map<String, ?> overrides) {
        for (String key : overrides.keySet()) {
            if (!RUN_OVERRIDES.contains(key)) {
                throw new IllegalArgumentException("'" + key + "' is set by the pipeline or the app, not by the caller; "
                        + "a caller may override only " + RUN_OVERRIDES);
            }
        }
        Properties props = new Properties();
        props.putAll(config.kafkaClientProps());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(config).toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.getShort(CoreKeys.TOPIC_REPLICATION_FACTOR_CONFIG));
        props.putAll(ExceptionHandling.streamsProperties(p.name(), config, metrics));
        props.putAll(p.streamsProperties());
        long rocksDbBudget = config.getLong(CoreKeys.ROCKSDB_MEMORY_MAX_BYTES_CONFIG);
        if (rocksDbBudget > 0) {
            if (props.containsKey(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)) {
                throw new ConfigError("Set either " + CoreKeys.ROCKSDB_MEMORY_MAX_BYTES_CONFIG + " or "
                        + StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG + ", not both.");
            }
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
            props.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, rocksDbBudget);
        }
        props.putAll(overrides);
        return props;
    }

    private static Path stateDir(PipelineConfig config) {
        return config.stateDir().resolve("streams").toAbsolutePath();
    }
}
