package dev.pipeline.orders;

import dev.pipeline.policy.DropReason;
import dev.pipeline.policy.Ledger;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What the HTTP thread may know about the tasks: each task's processor publishes a copy of its
 * ledger and its dedup-store size at every maintenance tick (state stores themselves belong to
 * the stream thread). The figures are therefore at most one tick old.
 */
final class OrdersStatus {
    private final Map<TaskId, TaskView> tasks = new ConcurrentHashMap<>();

    record TaskView(Ledger.Snapshot ledger, Map<DropReason, Long> droppedByReason, long dedupEntries) {}

    void publish(TaskId task, TaskView view) {
        tasks.put(task, view);
    }

    void remove(TaskId task) {
        tasks.remove(task);
    }

    Ledger.Snapshot ledger() {
        Ledger.Snapshot total = new Ledger.Snapshot(0, 0, 0, 0, 0);
        for (TaskView v : tasks.values()) {
            total = total.plus(v.ledger());
        }
        return total;
    }

    long dedupEntries() {
        return tasks.values().stream().mapToLong(TaskView::dedupEntries).sum();
    }

    Map<String, Object> toMap(String processingGuarantee) {
        Ledger.Snapshot s = ledger();
        Map<DropReason, Long> byReason = new EnumMap<>(DropReason.class);
        tasks.values().forEach(v -> v.droppedByReason().forEach((r, n) -> byReason.merge(r, n, Long::sum)));
        Map<String, Long> dropped = new TreeMap<>();
        byReason.forEach((r, n) -> dropped.put(r.label(), n));
        Map<String, Object> conservation = new LinkedHashMap<>();
        conservation.put("rule", "in = out + dlq + dropped + buffered");
        conservation.put("holds", s.holds());
        conservation.put("imbalance", s.imbalance());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("processing_guarantee", processingGuarantee);
        out.put("tasks", tasks.size());
        out.put("records_in", s.in());
        out.put("records_out", s.out());
        out.put("dlq", s.dlq());
        out.put("dropped", s.dropped());
        out.put("buffered", s.buffered());
        out.put("dropped_by_reason", dropped);
        out.put("conservation", conservation);
        out.put("dedup_entries", dedupEntries());
        return out;
    }
}
