package dev.pipeline.policy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
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
    private static final TypeReference<Map<String, Object>> STATUS_MAP = new TypeReference<>() {};
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

        /** The terms as {@code /api/status} shows them: a value the one mapper writes field for field. */
        public Report report() {
            Map<String, Long> reasons = new LinkedHashMap<>();
            droppedByReason.forEach((r, n) -> reasons.put(r.label(), n));
            return new Report(total.in(), total.out(), total.dlq(), total.dropped(), total.buffered(),
                    Collections.unmodifiableMap(reasons), total.imbalance(), holds(), tasks, checkedAtMs, violations);
        }

        /**
         * The report as plain values (numbers as {@code Long}), for the pipelines' status maps:
         * the mapper's reading of {@link #report()}, so the fields are listed once, in the record.
         */
        public Map<String, Object> toMap() {
            JsonNode tree = Json.MAPPER.valueToTree(report());
            try {
                return Json.MAPPER.readerFor(STATUS_MAP).with(DeserializationFeature.USE_LONG_FOR_INTS).readValue(tree);
            } catch (IOException e) {
                throw new UncheckedIOException("a tree of longs and booleans is always a map", e);
            }
        }
    }

    /**
     * One pipeline's conservation terms in {@code /api/status} (the dashboard reads {@code holds}
     * and the five terms): {@code in = out + dlq + dropped + buffered} holds when {@code imbalance}
     * is 0. Components are written in this order.
     *
     * @param droppedByReason drops per reason label, in {@link DropReason} order
     */
    public record Report(long in, long out, long dlq, long dropped, long buffered, Map<String, Long> droppedByReason,
            long imbalance, boolean holds, int tasks, long checkedAtMs, long violations) {}

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
