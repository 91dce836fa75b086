package dev.pipeline.orders;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Dedup-store sizes of this instance's tasks, for the {@code pipeline_dedup_entries} gauge and
 * /api/status: each task's processor publishes its store's estimate at every maintenance tick
 * (the store itself belongs to the stream thread), so the figure is at most one tick old.
 */
final class OrdersStatus {
    private final Map<TaskId, Long> dedupEntries = new ConcurrentHashMap<>();

    void publish(TaskId task, long entries) {
        dedupEntries.put(task, entries);
    }

    void remove(TaskId task) {
        dedupEntries.remove(task);
    }

    long dedupEntries() {
        return dedupEntries.values().stream().mapToLong(Long::longValue).sum();
    }
}
