package dev.pipeline.kafka.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipeline.json.Json;
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
 * Keeps the registry's {@link StoreRecord}s in a compacted single-partition topic, as Confluent's
 * registry does: key {@code {"keytype":"SCHEMA","subject":..,"version":..,"magic":1}}, value
 * {@code {"subject":..,"version":..,"id":..,"schema":"..","deleted":bool}}; key {@code
 * {"keytype":"CONFIG","subject":s|null,"magic":0}}, value {@code {"compatibilityLevel":".."}}; a
 * hard delete is a tombstone, preceded by key {@code {"keytype":"NEXT_ID","magic":0}} with
 * value {@code {"next":N}} so no id is handed out twice. One key per version, so compaction never loses a live version.
 * Other key types (Confluent's NOOP, MODE, DELETE_SUBJECT) are skipped. One registry process
 * should write a given topic.
 */
public final class KafkaSchemaStore implements SchemaStore {
    public static final String DEFAULT_TOPIC = "_schemas";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
    public List<StoreRecord> readAll() {
        Map<String, Object> props = new HashMap<>(baseProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-reader");
        // last value per key wins and a tombstone removes it, the same view compaction converges to
        Map<String, StoreRecord> byKey = new LinkedHashMap<>();
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
                    StoreRecord record = r.value() == null ? null : parse(r.key(), r.value());
                    if (record == null) {
                        byKey.remove(r.key());
                    } else {
                        byKey.put(r.key(), record);
                    }
                }
            }
        }
        return new ArrayList<>(byKey.values());
    }

    @Override
    public void put(StoreRecord record) {
        send(record.key(), value(record));
    }

    @Override
    public void remove(StoreRecord record) {
        send(record.key(), null);
    }

    private void send(String key, String value) {
        // explicit partition 0: readAll reads only that one, even if someone added partitions
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, key, value);
        try {
            producer.send(record).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException("could not write to " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("timed out writing to " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted writing to " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(TIMEOUT);
    }

    private static String value(StoreRecord record) {
        ObjectNode value = Json.MAPPER.createObjectNode();
        if (record instanceof StoreRecord.Version r) {
            SchemaVersion v = r.version();
            value.put("subject", v.subject()).put("version", v.version()).put("id", v.id());
            value.put("schema", v.schema().toString()).put("deleted", r.deleted());
        } else if (record instanceof StoreRecord.Config c) {
            value.put("compatibilityLevel", c.level().name());
        } else if (record instanceof StoreRecord.NextId n) {
            value.put("next", n.next());
        }
        return value.toString();
    }

    /** Null for key types this registry does not keep (so they neither add nor remove anything). */
    private static StoreRecord parse(String key, String value) {
        try {
            JsonNode k = Json.MAPPER.readTree(key);
            JsonNode node = Json.MAPPER.readTree(value);
            switch (k.path("keytype").asText()) {
                case "SCHEMA" -> {
                    SchemaVersion v = new SchemaVersion(node.get("subject").asText(), node.get("version").asInt(),
                            node.get("id").asInt(), new Schema.Parser().parse(node.get("schema").asText()));
                    return new StoreRecord.Version(v, node.path("deleted").asBoolean(false));
                }
                case "CONFIG" -> {
                    JsonNode subject = k.get("subject");
                    return new StoreRecord.Config(subject == null || subject.isNull() ? null : subject.asText(),
                            Compatibility.parse(node.get("compatibilityLevel").asText()));
                }
                case "NEXT_ID" -> {
                    return new StoreRecord.NextId(node.get("next").asInt());
                }
                default -> {
                    return null;
                }
            }
        } catch (IOException | RuntimeException e) {
            // someone else's record in our topic: refuse to start rather than hand out its ids again
            throw new KafkaException("unreadable record in schema topic: " + key + " -> " + value, e);
        }
    }
}
