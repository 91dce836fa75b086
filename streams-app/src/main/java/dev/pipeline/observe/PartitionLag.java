package dev.pipeline.observe;

/**
 * One partition of one group in one sample.
 *
 * @param committedOffset the group's committed offset, {@code null} when it never committed here
 * @param lag             {@code endOffset - committed} (or {@code - logStart} without a commit), never negative
 * @param lagSeconds      age of the oldest unconsumed record; 0 when nothing is pending; {@code null} unknown
 */
public record PartitionLag(String topic, int partition, Long committedOffset, long endOffset, long lag,
                           Double lagSeconds, LagStatus status) {

    PartitionLag withStatus(LagStatus s) {
        return new PartitionLag(topic, partition, committedOffset, endOffset, lag, lagSeconds, s);
    }
}
