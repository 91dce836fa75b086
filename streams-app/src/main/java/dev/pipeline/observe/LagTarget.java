package dev.pipeline.observe;

import java.util.Set;

/**
 * A consumer group to watch and the topics it should consume. Partitions of {@code topics} with
 * no committed offset yet count their lag from the log start (Kafka Streams' default
 * {@code auto.offset.reset=earliest}); with no topics only committed partitions are reported.
 */
public record LagTarget(String group, Set<String> topics) {
    public LagTarget {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("consumer group must not be blank");
        }
        topics = Set.copyOf(topics);
    }

    public static LagTarget of(String group, String... topics) {
        return new LagTarget(group, Set.of(topics));
    }
}
