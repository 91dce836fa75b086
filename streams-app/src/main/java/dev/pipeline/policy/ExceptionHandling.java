package dev.pipeline.policy;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.ErrorPolicy;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.observe.PipelineMetrics;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;

/**
 * Wires Kafka Streams' own error paths (deserialization, processing, production) to the
 * dead-letter topic through Streams' native DLQ support (KIP-1034): the handlers return the
 * dead-letter records and Streams writes them with the task's producer, so under exactly-once
 * they commit with the task. Each record carries Streams' {@code __streams.errors.*} headers and
 * ours ({@link DeadLetters}).
 *
 * <p>Kafka Streams creates the handlers by class name, one set per {@code KafkaStreams}
 * instance, and configures them with that instance's config map; {@link #streamsProperties}
 * puts a {@link Settings} object in that map, which is how each handler learns its pipeline.
 */
public final class ExceptionHandling {
    private ExceptionHandling() {}

    /** Key of the {@link Settings} object in a pipeline's Streams config map. */
    public static final String SETTINGS_CONFIG = "pipeline.policy.exception.handling.settings";

    /** What the handlers of one pipeline need; immutable. */
    public record Settings(String pipeline, String deadLetterTopic, ErrorPolicy deserialization,
            ErrorPolicy processing, ErrorPolicy production, DropRecorder recorder) {
        public Settings {
            Objects.requireNonNull(pipeline, "pipeline");
            Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
            Objects.requireNonNull(recorder, "recorder");
        }

        @Override
        public String toString() {
            return "ExceptionHandling.Settings[pipeline=" + pipeline + ", dlq=" + deadLetterTopic + ", deserialization="
                    + deserialization + ", processing=" + processing + ", production=" + production + "]";
        }
    }

    /**
     * The Streams settings every pipeline gets: the three handler classes, the dead-letter topic
     * and the handlers' {@link Settings}. Merge into the pipeline's StreamsConfig map.
     */
    public static Map<String, Object> streamsProperties(String pipeline, PipelineConfig config, PipelineMetrics metrics) {
        String dlq = config.getString(CoreKeys.TOPIC_DLQ_CONFIG);
        Settings settings = new Settings(pipeline, dlq,
                ErrorPolicy.parse(config.getString(PolicyKeys.ERRORS_DESERIALIZATION_POLICY_CONFIG)),
                ErrorPolicy.parse(config.getString(PolicyKeys.ERRORS_PROCESSING_POLICY_CONFIG)),
                ErrorPolicy.parse(config.getString(PolicyKeys.ERRORS_PRODUCTION_POLICY_CONFIG)),
                new DropRecorder(pipeline, metrics, null));
        return streamsProperties(settings);
    }

    /** As above, from explicit settings (tests). */
    public static Map<String, Object> streamsProperties(Settings settings) {
        return Map.of(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class,
                // global stores too, should a pipeline add one (and Streams warns about every config without it)
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true,
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class,
                StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, settings.deadLetterTopic(),
                SETTINGS_CONFIG, settings);
    }

    /** The settings a handler was configured with; refuses a config that lacks them. */
    static Settings settings(Map<String, ?> configs, Class<?> handler) {
        Object s = configs.get(SETTINGS_CONFIG);
        if (s instanceof Settings settings) {
            return settings;
        }
        throw new ConfigException(handler.getSimpleName() + " needs '" + SETTINGS_CONFIG
                + "' in the Streams config: build the settings with ExceptionHandling.streamsProperties(...)");
    }

    /**
     * The dead-letter record of a failure: Streams' own record (original headers plus
     * {@code __streams.errors.*}) with our {@code pipeline.error.*} headers added.
     */
    static List<ProducerRecord<byte[], byte[]>> deadLetter(Settings settings, DropReason reason, byte[] key,
            byte[] value, ErrorHandlerContext context, Exception cause) {
        ProducerRecord<byte[], byte[]> streams = ExceptionHandlerUtils.buildDeadLetterQueueRecord(
                settings.deadLetterTopic(), key, value, context, cause);
        DeadLetters.Source source = new DeadLetters.Source(String.valueOf(context.topic()), context.partition(),
                context.offset());
        return List.of(DeadLetters.producerRecord(settings.deadLetterTopic(), key, value, context.timestamp(),
                DeadLetters.headers(streams.headers(), reason, settings.pipeline(), 1, source, cause)));
    }

    static DeadLetters.Source source(ErrorHandlerContext context) {
        return new DeadLetters.Source(String.valueOf(context.topic()), context.partition(), context.offset());
    }
}
