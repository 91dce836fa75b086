package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Streams application's progress as the cluster sees it: offsets its consumer group committed
 * on an input topic. "Processing again" after a failure means those offsets move on every
 * partition; "caught up" means they reached the topic's end.
 */
record GroupProgress(Admin admin, String groupId, String topic, int partitions) {

    /** Committed offsets of the group on the topic, by partition (absent: nothing committed yet). */
    Map<Integer, Long> committed() throws Exception {
        Map<Integer, Long> out = new TreeMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        offsets.forEach((tp, om) -> {
            if (tp.topic().equals(topic) && om != null) {
                out.put(tp.partition(), om.offset());
            }
        });
        return out;
    }

    long committedTotal() throws Exception {
        return committed().values().stream().mapToLong(Long::longValue).sum();
    }

    Map<Integer, Long> endOffsets() throws Exception {
        return endOffsets(topic, IsolationLevel.READ_UNCOMMITTED);
    }

    private Map<Integer, Long> endOffsets(String t, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(List.of(t)).allTopicNames().get(30, TimeUnit.SECONDS).get(t).partitions()
                .forEach(p -> request.put(new TopicPartition(t, p.partition()), OffsetSpec.latest()));
        Map<Integer, Long> out = new TreeMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }

    /**
     * Waits until no transaction is open on {@code output} (last stable offset = end offset): a
     * SIGKILLed instance's transaction stays open until the coordinator aborts it after
     * {@code transaction.timeout.ms} (plus its abort check interval), and read_committed readers
     * such as {@code verify orders} stop at it until then.
     */
    void awaitNoOpenTransactions(String output, Duration timeout) {
        await("no open transaction on " + output).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() ->
                endOffsets(output, IsolationLevel.READ_COMMITTED).equals(endOffsets(output, IsolationLevel.READ_UNCOMMITTED)));
    }

    /** Steady state: something committed on every partition. */
    void awaitCommittedOnEveryPartition(Duration timeout) {
        await(groupId + " committed on every partition").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> committed().size() == partitions);
    }

    /**
     * Waits until the committed offset moved past {@code baseline} on every partition, i.e. every
     * partition is processed again; returns ms since {@code t0} (System.nanoTime()).
     */
    long awaitProgressOnEveryPartition(Map<Integer, Long> baseline, long t0, Duration timeout) {
        assertThat(baseline).as("committed offsets on every partition of %s", topic).hasSize(partitions);
        await("every partition of " + topic + " processed again").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<Integer, Long> now = committed();
                    return baseline.entrySet().stream().allMatch(e -> now.getOrDefault(e.getKey(), -1L) > e.getValue());
                });
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits until the group has committed up to the end of the topic (the producer must have stopped). */
    void awaitCaughtUp(Duration timeout) {
        await(groupId + " caught up on " + topic).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            Map<Integer, Long> end = endOffsets();
            Map<Integer, Long> now = committed();
            // under exactly-once the end offset includes transaction markers; the committed offset passes them
            return end.entrySet().stream().allMatch(e -> now.getOrDefault(e.getKey(), -1L) >= e.getValue()
                    || e.getValue() == 0);
        });
    }
}
