package dev.pipeline.observe;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;

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

    /**
     * A Kafka Streams application's group ({@code application.id}) with the source topics of its
     * topology. Internal repartition topics are not listed (their names depend on the group); their
     * committed offsets are reported once the application commits.
     */
    public static LagTarget of(String applicationId, TopologyDescription topology) {
        Set<String> topics = new HashSet<>();
        for (TopologyDescription.Subtopology sub : topology.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
                    source.topicSet().stream().filter(t -> !t.endsWith("-repartition")).forEach(topics::add);
                }
            }
        }
        return new LagTarget(applicationId, topics);
    }
}
