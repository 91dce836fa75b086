package dev.pipeline.policy;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest conservation terms of every task, per pipeline, for {@code /api/status}. Stream
 * threads publish their task's snapshot ({@link ConservationCheck}); readers get the sum over the
 * tasks this instance runs now. Thread-safe. A task that moves away must be {@link #remove}d.
 */
public final class ConservationStatus {
    private final Map<String, Map<String, TaskTerms>> byPipeline = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> violations = new ConcurrentHashMap<>();

    /** One task's latest terms. */
    public record TaskTerms(Ledger.Snapshot snapshot, Map<DropReason, Long> droppedByReason, long checkedAtMs) {
        public TaskTerms {
            droppedByReason = Map.copyOf(droppedByReason);
        }
    }

    /**
     * A pipeline's terms summed over its tasks here.
     *
     * @param checkedAtMs oldest check among the tasks (0 when there are none)
     * @param violations violations found since this process started
     */
    public record Summary(Ledger.Snapshot total, Map<DropReason, Long> droppedByReason, int tasks, long checkedAtMs,
            long violations) {
        public boolean holds() {
            return total.holds();
        }

        /** The terms as JSON-ready values for /api/status. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("in", total.in());
            m.put("out", total.out());
            m.put("dlq", total.dlq());
            m.put("dropped", total.dropped());
            m.put("buffered", total.buffered());
            Map<String, Long> reasons = new LinkedHashMap<>();
            droppedByReason.forEach((r, n) -> reasons.put(r.label(), n));
            m.put("droppedByReason", reasons);
            m.put("imbalance", total.imbalance());
            m.put("holds", holds());
            m.put("tasks", tasks);
            m.put("checkedAtMs", checkedAtMs);
            m.put("violations", violations);
            return m;
        }
    }

    public void update(String pipeline, String taskId, TaskTerms terms) {
        byPipeline.computeIfAbsent(pipeline, p -> new ConcurrentHashMap<>()).put(taskId, terms);
    }

    public void remove(String pipeline, String taskId) {
        Map<String, TaskTerms> tasks = byPipeline.get(pipeline);
        if (tasks != null) {
            tasks.remove(taskId);
        }
    }

    void violated(String pipeline) {
        violations.computeIfAbsent(pipeline, p -> new AtomicLong()).incrementAndGet();
    }

    /** The sum over this instance's tasks of {@code pipeline}, evaluated now. */
    public Summary summary(String pipeline) {
        Ledger.Snapshot total = new Ledger.Snapshot(0, 0, 0, 0, 0);
        Map<DropReason, Long> reasons = new EnumMap<>(DropReason.class);
        long oldest = Long.MAX_VALUE;
        Map<String, TaskTerms> tasks = byPipeline.getOrDefault(pipeline, Map.of());
        int n = 0;
        for (TaskTerms t : tasks.values()) {
            total = total.plus(t.snapshot());
            t.droppedByReason().forEach((r, v) -> reasons.merge(r, v, Long::sum));
            oldest = Math.min(oldest, t.checkedAtMs());
            n++;
        }
        AtomicLong v = violations.get(pipeline);
        return new Summary(total, reasons, n, n == 0 ? 0 : oldest, v == null ? 0 : v.get());
    }
}
