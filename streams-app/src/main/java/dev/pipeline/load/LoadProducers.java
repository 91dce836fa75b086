package dev.pipeline.load;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The generator's producer: bytes in (values are serialized by the generator, malformed ones are
 * raw), idempotent so that broker-side retries never add duplicates nobody asked for, and with
 * explicit memory bounds. Settings the user gives for the Kafka clients win over these defaults.
 */
public final class LoadProducers {
    private LoadProducers() {}

    /** Memory the producer may hold in unsent batches; sends wait (up to max.block.ms) when it is full. */
    public static final int BUFFER_MEMORY_BYTES = 16 * 1024 * 1024;
    /** Bound on a send's wait for buffer space or metadata; past it the send fails and is counted. */
    public static final int MAX_BLOCK_MS = 30_000;

    public static Map<String, Object> properties(Map<String, String> kafkaClientProps, String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, BUFFER_MEMORY_BYTES);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        p.putAll(kafkaClientProps);
        return p;
    }

    public static KafkaProducer<byte[], byte[]> create(Map<String, String> kafkaClientProps, String clientId) {
        return new KafkaProducer<>(properties(kafkaClientProps, clientId), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
