package dev.pipeline.kafka.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keeps registered versions in a compacted single-partition topic, as Confluent's registry does:
 * key {@code {"keytype":"SCHEMA","subject":..,"version":..,"magic":1}}, value {@code
 * {"subject":..,"version":..,"id":..,"schema":".."}}. One key per version, so compaction never
 * loses a version. One registry process should write a given topic.
 */
public final class KafkaSchemaStore implements SchemaStore {
    public static final String DEFAULT_TOPIC = "_schemas";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final Map<String, Object> baseProps;
    private final KafkaProducer<String, String> producer;

    /** Creates {@code topic} (1 partition, compacted) if it is missing. */
    public KafkaSchemaStore(String bootstrapServers, String topic, Map<String, ?> clientProps) {
        this.topic = topic;
        this.baseProps = new HashMap<>(clientProps);
        baseProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        createTopicIfMissing();
        Map<String, Object> props = new HashMap<>(baseProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-writer");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    public KafkaSchemaStore(String bootstrapServers) {
        this(bootstrapServers, DEFAULT_TOPIC, Map.of());
    }

    public String topic() {
        return topic;
    }

    private void createTopicIfMissing() {
        try (Admin admin = Admin.create(baseProps)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("could not create schema topic " + topic, e.getCause());
            }
        } catch (TimeoutException e) {
            throw new KafkaException("timed out creating schema topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted creating schema topic " + topic, e);
        }
    }

    @Override
    public List<SchemaVersion> readAll() {
        Map<String, Object> props = new HashMap<>(baseProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-reader");
        // last value per key wins and a tombstone removes it, the same view compaction converges to
        Map<String, SchemaVersion> byKey = new LinkedHashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("timed out reading " + topic + " up to offset " + end);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        byKey.remove(r.key());
                    } else {
                        byKey.put(r.key(), parse(r.value()));
                    }
                }
            }
        }
        return new ArrayList<>(byKey.values());
    }

    @Override
    public void append(SchemaVersion v) {
        // explicit partition 0: readAll reads only that one, even if someone added partitions
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, key(v), value(v));
        try {
            producer.send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException("could not write schema to " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("timed out writing schema to " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted writing schema to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(TIMEOUT);
    }

    private static String key(SchemaVersion v) {
        ObjectNode key = JSON.createObjectNode();
        key.put("keytype", "SCHEMA").put("subject", v.subject()).put("version", v.version()).put("magic", 1);
        return key.toString();
    }

    private static String value(SchemaVersion v) {
        ObjectNode value = JSON.createObjectNode();
        value.put("subject", v.subject()).put("version", v.version()).put("id", v.id());
        value.put("schema", v.schema().toString());
        return value.toString();
    }

    private static SchemaVersion parse(String value) {
        try {
            JsonNode node = JSON.readTree(value);
            return new SchemaVersion(node.get("subject").asText(), node.get("version").asInt(),
                    node.get("id").asInt(), new Schema.Parser().parse(node.get("schema").asText()));
        } catch (IOException | RuntimeException e) {
            // someone else's record in our topic: refuse to start rather than hand out its ids again
            throw new KafkaException("unreadable record in schema topic: " + value, e);
        }
    }
}
