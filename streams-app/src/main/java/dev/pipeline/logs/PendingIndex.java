package dev.pipeline.logs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stream thread's view of one task's buffer: per service, its pending events oldest first,
 * and the services ordered by their oldest event. Rebuilt from the store when the task starts;
 * its size is bounded by the buffer caps (one small entry per buffered event). Not thread-safe.
 */
final class PendingIndex {
    private final int batchMaxRecords;
    private final Map<String, ArrayDeque<Pending>> byService = new HashMap<>();
    /** Sequence number of each service's oldest event → service: the oldest service first. */
    private final TreeMap<Long, String> servicesByHead = new TreeMap<>();
    /** Services holding a full batch (or more, while the sink held the flush back), in order of filling. */
    private final Set<String> full = new LinkedHashSet<>();
    private long records;
    private long bytes;

    PendingIndex(int batchMaxRecords) {
        this.batchMaxRecords = batchMaxRecords;
    }

    /** Adds an event; events must arrive in increasing sequence order. */
    void add(Pending p) {
        ArrayDeque<Pending> q = byService.computeIfAbsent(p.service(), s -> new ArrayDeque<>());
        if (q.isEmpty()) {
            servicesByHead.put(p.seq(), p.service());
        }
        q.addLast(p);
        if (q.size() >= batchMaxRecords) {
            full.add(p.service());
        }
        records++;
        bytes += p.storedBytes();
    }

    /** Removes and returns up to {@code max} of the service's oldest events. */
    List<Pending> take(String service, int max) {
        ArrayDeque<Pending> q = byService.get(service);
        if (q == null) {
            return List.of();
        }
        List<Pending> out = new ArrayList<>(Math.min(max, q.size()));
        servicesByHead.remove(q.peekFirst().seq());
        while (out.size() < max && !q.isEmpty()) {
            Pending p = q.pollFirst();
            records--;
            bytes -= p.storedBytes();
            out.add(p);
        }
        afterRemoval(service, q);
        return out;
    }

    /** Removes and returns the oldest event of all services, or null when empty. */
    Pending removeOldest() {
        String service = oldestService();
        return service == null ? null : take(service, 1).get(0);
    }

    String oldestService() {
        var e = servicesByHead.firstEntry();
        return e == null ? null : e.getValue();
    }

    Pending oldest() {
        String service = oldestService();
        return service == null ? null : byService.get(service).peekFirst();
    }

    /** A service holding at least a full batch, or null. */
    String firstFull() {
        return full.isEmpty() ? null : full.iterator().next();
    }

    /** The oldest service if its oldest event arrived at or before {@code cutoffArrivalMs}, else null. */
    String oldestArrivedBy(long cutoffArrivalMs) {
        Pending p = oldest();
        return p != null && p.arrivalMs() <= cutoffArrivalMs ? p.service() : null;
    }

    int count(String service) {
        ArrayDeque<Pending> q = byService.get(service);
        return q == null ? 0 : q.size();
    }

    int services() {
        return byService.size();
    }

    long records() {
        return records;
    }

    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return records == 0;
    }

    private void afterRemoval(String service, ArrayDeque<Pending> q) {
        if (q.isEmpty()) {
            byService.remove(service);
        } else {
            servicesByHead.put(q.peekFirst().seq(), service);
        }
        if (q.size() < batchMaxRecords) {
            full.remove(service);
        }
    }
}
