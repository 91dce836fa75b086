package dev.pipeline.observe;

import java.util.List;

/**
 * One group in one sample: its partitions (sorted by topic, partition), the worst partition
 * status, and on {@link LagStatus#ERR} the error and the last known partitions.
 */
public record GroupLag(String group, LagStatus status, String error, List<PartitionLag> partitions) {
    public GroupLag {
        partitions = List.copyOf(partitions);
    }

    public long totalLag() {
        return partitions.stream().mapToLong(PartitionLag::lag).sum();
    }

    /** The largest known lag in seconds, 0 with no partitions or none known. */
    public double maxLagSeconds() {
        return partitions.stream().filter(p -> p.lagSeconds() != null)
                .mapToDouble(PartitionLag::lagSeconds).max().orElse(0);
    }

    public PartitionLag partition(String topic, int partition) {
        return partitions.stream().filter(p -> p.topic().equals(topic) && p.partition() == partition)
                .findFirst().orElse(null);
    }
}
