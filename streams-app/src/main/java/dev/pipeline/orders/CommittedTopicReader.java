package dev.pipeline.orders;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads whole topics the way a downstream consumer sees them: {@code read_committed}, from the
 * beginning up to the end offsets taken at the start (for read_committed, the last stable offset),
 * and reports partitions where a transaction is still open (last stable offset below the high
 * watermark). Raw bytes: the caller decodes, so one bad record does not stop the read.
 */
final class CommittedTopicReader implements AutoCloseable {
    private final Admin admin;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    CommittedTopicReader(Map<String, ?> clientProps, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.name().toLowerCase(Locale.ROOT));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.timeout = timeout;
        this.admin = Admin.create(new HashMap<>(clientProps));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A partition of a topic whose last stable offset is below its high watermark. */
    record OpenTransaction(TopicPartition partition, long lastStableOffset, long endOffset) {
        @Override
        public String toString() {
            return "open transaction on " + partition + ": last stable offset " + lastStableOffset + " < end offset "
                    + endOffset;
        }
    }

    List<TopicPartition> partitions(String topic) {
        try {
            var description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            List<TopicPartition> out = new ArrayList<>();
            description.partitions().forEach(p -> out.add(new TopicPartition(topic, p.partition())));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe topic '" + topic + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    List<OpenTransaction> openTransactions(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> stable = offsets(partitions, IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, Long> end = offsets(partitions, IsolationLevel.READ_UNCOMMITTED);
        List<OpenTransaction> open = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (stable.get(tp) < end.get(tp)) {
                open.add(new OpenTransaction(tp, stable.get(tp), end.get(tp)));
            }
        }
        return open;
    }

    /** Every committed record of the partitions, in offset order per partition. */
    List<ConsumerRecord<byte[], byte[]>> readAll(List<TopicPartition> partitions) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reachedEnd(partitions, end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + partitions + " to their end offsets " + end
                        + " within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    out.add(r);
                }
            }
        }
        consumer.unsubscribe();
        return out;
    }

    private boolean reachedEnd(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, timeout) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, IsolationLevel isolation) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        try {
            Map<TopicPartition, Long> out = new HashMap<>();
            admin.listOffsets(request, new ListOffsetsOptions(isolation)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list offsets of " + partitions + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }
}
