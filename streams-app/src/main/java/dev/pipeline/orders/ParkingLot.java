package dev.pipeline.orders;

import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.orders.AuthorizationCalls.Result;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.OrderEvent;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Per-key ordered retry of payment authorizations ("parking"), for one task, on the stream thread.
 *
 * <p><b>State.</b> The changelogged store {@value OrdersPipeline#PARKED_STORE} (behind a
 * {@code WriteBackStore}) maps an orderId to its queue of parked events, oldest first: one key per
 * parked order, so the events of one order keep their order and the record cache's model holds
 * (every change of a queue within a commit is one write down and one changelog record). The
 * head of a queue is the PAID waiting for its answer; behind it wait the order's later events,
 * not yet judged. The queue's events carry their original input bytes, so what leaves as a drop
 * goes to the DLQ byte for byte. The store is part of the task's transaction: under exactly-once
 * a crash rewinds it with the input offsets and the results.
 *
 * <p><b>In memory only</b>, rebuilt from the store in {@link #init} (at most
 * {@code orders.parking.max.records} events, so one bounded scan): the due index (when each
 * head is to be tried), the heads with a call in flight, and the record and key counts. A call in
 * flight at a crash is therefore simply made again after the restore (at-least-once, which the
 * {@code Idempotency-Key} lets the service absorb), and a late answer for a head that is no longer
 * the head is ignored.
 *
 * <p><b>Flow.</b> A PAID the state machine would apply parks as a head and its call starts at
 * once; a later event of a parked order joins the queue (a duplicate of a parked event id is a
 * {@code duplicate}; beyond the bound, {@code overflow}). Answers are drained in {@code process()}
 * and in the wall-clock {@link #tick}, which also starts the due retries, at most
 * {@code orders.expiry.scan.max} per tick; a head whose call finds all {@code external.call.max.concurrency}
 * slots taken is queued in {@link AuthorizationCalls}, which sends it the moment a call ends; past
 * that queue's bound it waits here and starts as soon as an answer frees room. 2xx applies the
 * head, 4xx drops it as {@code rejected},
 * a retryable failure reschedules it with backoff until {@code max.attempts} or
 * {@code max.elapsed.ms} ({@code retries_exhausted}); then the events behind it are judged in
 * order, as if they had just arrived, until one is a PAID that needs its own authorization.
 *
 * <p><b>A full lot</b> waits before it drops: see {@link #roomOrDrop}.
 */
final class ParkingLot {
    /** What the processor does for the lot: judge an event leaving it, and drop one. */
    interface Judge {
        /**
         * Judges {@code p} now (dedup, expiry, transition) and applies or drops it; returns false,
         * without doing anything, when it is a PAID that must be authorized first.
         */
        boolean judge(ParkedEvent p, boolean authorized);

        void drop(DropReason reason, ParkedEvent p, int attempts, String why);
    }

    private final AuthorizationSettings settings;
    private final KeyValueStore<String, List<ParkedEvent>> store;
    private final AuthorizationCalls calls;
    private final Judge judge;
    private final Counter retries;
    private final int scanMax;
    private final Parking.ParkedSizes.Share share;
    /** Heads not in flight, by due time (wall clock) then orderId. */
    private final TreeSet<Due> due = new TreeSet<>();
    private final Map<String, Long> dueAt = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    /**
     * Heads whose call found every slot taken, oldest first: started as soon as an answer frees a
     * slot (in {@link #drain}) rather than a tick later, so the in-flight bound, not the tick,
     * paces a burst of payments.
     */
    private final Set<String> waitingForSlot = new LinkedHashSet<>();
    private long records;
    private long keys;
    /** The wall clock of the latest drain, tick or park: {@code enqueue} gets none from the processor. */
    private long lastNow;
    /**
     * The last wait for room ended with none (calls timing out, a stuck service): until an answer
     * frees a parked event, a full lot drops at once instead of waiting again for every record.
     */
    private boolean stalled;

    private record Due(long at, String orderId) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : orderId.compareTo(o.orderId);
        }
    }

    ParkingLot(AuthorizationSettings settings, KeyValueStore<String, List<ParkedEvent>> store, AuthorizationCalls calls,
            Judge judge, PipelineMetrics metrics, String pipeline, int scanMax, Parking.ParkedSizes.Share share) {
        this.settings = settings;
        this.store = store;
        this.calls = calls;
        this.judge = judge;
        this.retries = metrics.retries(pipeline);
        this.scanMax = scanMax;
        this.share = share;
    }

    /** Rebuilds the in-memory index from the (restored) store; every head is due at its stored time. */
    void init() {
        try (KeyValueIterator<String, List<ParkedEvent>> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                keys++;
                records += kv.value.size();
                schedule(kv.key, kv.value.get(0).dueAt());
            }
        }
        publish();
    }

    boolean isParked(String orderId) {
        return store.get(orderId) != null;
    }

    long records() {
        return records;
    }

    long keys() {
        return keys;
    }

    /**
     * A new event of an order with parked events: joins its queue, unless a duplicate or over the
     * bound. A full lot first waits for room ({@link #roomOrDrop}); if that wait released the order's
     * queue, the event is judged as if it had just arrived.
     */
    void enqueue(String orderId, ParkedEvent p) {
        for (ParkedEvent q : store.get(orderId)) {
            if (q.event().getEventId().equals(p.event().getEventId())) {
                judge.drop(DropReason.DUPLICATE, p, 1, null);
                return;
            }
        }
        if (!roomOrDrop(p)) {
            return;
        }
        List<ParkedEvent> queue = store.get(orderId); // a wait only takes events out of it
        if (queue == null) {
            if (!judge.judge(p, false)) {
                admitHead(orderId, p, lastNow);
            }
            return;
        }
        List<ParkedEvent> longer = new ArrayList<>(queue);
        longer.add(p);
        store.put(orderId, List.copyOf(longer));
        records++;
        publish();
    }

    /** A PAID that needs authorization and has nothing parked before it: parks as head and is called at once. */
    void park(String orderId, ParkedEvent p, long now) {
        lastNow = now;
        if (roomOrDrop(p)) {
            admitHead(orderId, p, now);
        }
    }

    private void admitHead(String orderId, ParkedEvent p, long now) {
        store.put(orderId, List.of(p.asHead(now)));
        records++;
        keys++;
        publish();
        start(orderId, now);
    }

    /**
     * Backpressure: with the lot full and calls in flight, the stream thread takes answers from the
     * queue and judges them, as {@link #drain} does, for at most
     * {@link AuthorizationSettings#fullWaitMs} (a healthy but slower service slows the input down
     * rather than losing orders). Only if no room frees (nothing in flight, the breaker open, or the
     * calls not answering in time) is {@code p} dropped as {@code overflow}.
     */
    private boolean roomOrDrop(ParkedEvent p) {
        if (records < settings.maxParkedRecords() || waitForRoom()) {
            return true;
        }
        judge.drop(DropReason.OVERFLOW, p, 1, "parking full: " + records + " events parked in this task (orders.parking.max.records)");
        return false;
    }

    private boolean waitForRoom() {
        if (stalled) {
            return false;
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(settings.fullWaitMs());
        while (records >= settings.maxParkedRecords()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || calls.inFlight() == 0) {
                stalled = true;
                return false;
            }
            Result r = calls.poll(left);
            if (r != null) {
                long now = lastNow + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                onResult(r, now);
                drain(now);
                startDue(now); // a retry due meanwhile may be the one that frees room
            }
        }
        return true;
    }

    /** Stream thread: handles every answer that has arrived, then starts the heads waiting for the slots they freed. */
    void drain(long now) {
        lastNow = now;
        boolean freed = false;
        for (Result r = calls.poll(); r != null; r = calls.poll()) {
            onResult(r, now);
            freed = true;
        }
        if (freed) {
            startWaiting(now);
        }
    }

    private void startWaiting(long now) {
        // one at a time: a start can change the set (a refused head releases the next event of its order)
        while (!waitingForSlot.isEmpty() && calls.hasRoom()) {
            String orderId = waitingForSlot.iterator().next();
            waitingForSlot.remove(orderId);
            start(orderId, now);
        }
    }

    /** Wall-clock punctuation: answers first, then at most {@code scanMax} due heads are (re)tried. */
    void tick(long now) {
        drain(now);
        startDue(now);
        drain(now); // answers that came at once (an in-process authorizer)
    }

    private void startDue(long now) {
        for (int n = 0; n < scanMax && !due.isEmpty() && due.first().at() <= now; n++) {
            Due d = due.pollFirst();
            dueAt.remove(d.orderId());
            start(d.orderId(), now);
        }
    }

    private void start(String orderId, long now) {
        List<ParkedEvent> queue = store.get(orderId);
        if (queue == null || inFlight.contains(orderId)) {
            return;
        }
        ParkedEvent head = queue.get(0);
        switch (calls.start(orderId, head.request())) {
            case STARTED -> {
                inFlight.add(orderId);
                replaceHead(orderId, queue, head.attempted(now));
            }
            case BUSY -> {
                unschedule(orderId);
                waitingForSlot.add(orderId);
            }
            case CIRCUIT_OPEN -> circuitOpen(orderId, queue, head, now);
        }
    }

    private void circuitOpen(String orderId, List<ParkedEvent> queue, ParkedEvent head, long now) {
        if (settings.deadLetterWhenOpen()) {
            finishHead(orderId, queue, DropReason.CIRCUIT_OPEN, head, "circuit breaker open", now);
        } else if (exhausted(head, now, settings.backoffMs(Math.max(1, head.attempts())))) {
            finishHead(orderId, queue, DropReason.RETRIES_EXHAUSTED, head, "circuit breaker open past max elapsed", now);
        } else {
            // no call, no attempt: wait as a retry would, the breaker decides again then
            schedule(orderId, now + settings.backoffMs(Math.max(1, head.attempts())));
        }
    }

    private void onResult(Result r, long now) {
        List<ParkedEvent> queue = store.get(r.orderId());
        if (queue == null || !queue.get(0).event().getEventId().equals(r.eventId())) {
            return; // a late answer for an event that has left the head since (dropped, or the task was revived)
        }
        inFlight.remove(r.orderId());
        ParkedEvent head = queue.get(0);
        if (r.refusedByBreaker()) { // it waited for a slot and was never sent: not an attempt
            ParkedEvent unsent = head.notAttempted();
            replaceHead(r.orderId(), queue, unsent);
            circuitOpen(r.orderId(), store.get(r.orderId()), unsent, now);
            return;
        }
        if (head.attempts() > 1) {
            // counted once sent and answered: a queued retry the breaker refused was no retry
            retries.increment();
        }
        switch (r.answer().verdict()) {
            case APPROVED -> {
                removeHead(r.orderId(), queue);
                judge.judge(head, true);
                release(r.orderId(), now);
            }
            case REFUSED -> finishHead(r.orderId(), queue, DropReason.REJECTED, head,
                    "payment authorization refused: " + r.answer().detail(), now);
            case RETRYABLE -> {
                long wait = settings.backoffMs(head.attempts());
                if (head.attempts() >= settings.maxAttempts() || exhausted(head, now, wait)) {
                    finishHead(r.orderId(), queue, DropReason.RETRIES_EXHAUSTED, head,
                            "payment authorization failed " + head.attempts() + " times, last: " + r.answer().detail(), now);
                } else {
                    replaceHead(r.orderId(), queue, head.dueAt(now + wait));
                    schedule(r.orderId(), now + wait);
                }
            }
        }
    }

    /** The next attempt, {@code wait} from now, would start past the max-elapsed cap. */
    private boolean exhausted(ParkedEvent head, long now, long wait) {
        return now + wait - head.parkedAt() > settings.maxElapsedMs();
    }

    private void finishHead(String orderId, List<ParkedEvent> queue, DropReason reason, ParkedEvent head, String why,
            long now) {
        removeHead(orderId, queue);
        judge.drop(reason, head, Math.max(1, head.attempts()), why);
        release(orderId, now);
    }

    /** Judges the events behind a head that left, in order, until one needs its own authorization. */
    private void release(String orderId, long now) {
        List<ParkedEvent> queue = store.get(orderId);
        while (queue != null) {
            ParkedEvent next = queue.get(0);
            if (!judge.judge(next, false)) {
                replaceHead(orderId, queue, next.asHead(now));
                start(orderId, now);
                return;
            }
            removeHead(orderId, queue);
            queue = store.get(orderId);
        }
    }

    private void removeHead(String orderId, List<ParkedEvent> queue) {
        unschedule(orderId);
        inFlight.remove(orderId);
        records--;
        stalled = false; // an event left: the service answers, so a full lot may wait for it again
        if (queue.size() == 1) {
            store.delete(orderId);
            keys--;
        } else {
            store.put(orderId, List.copyOf(queue.subList(1, queue.size())));
        }
        publish();
    }

    private void replaceHead(String orderId, List<ParkedEvent> queue, ParkedEvent head) {
        List<ParkedEvent> copy = new ArrayList<>(queue);
        copy.set(0, head);
        store.put(orderId, List.copyOf(copy));
    }

    private void schedule(String orderId, long at) {
        unschedule(orderId);
        due.add(new Due(at, orderId));
        dueAt.put(orderId, at);
    }

    private void unschedule(String orderId) {
        waitingForSlot.remove(orderId);
        Long at = dueAt.remove(orderId);
        if (at != null) {
            due.remove(new Due(at, orderId));
        }
    }

    private void publish() {
        share.set(records, keys);
    }

    /** Abandons the calls in flight and drops the in-memory index; the store stays (and is resumed from). */
    void close() {
        calls.close();
        due.clear();
        dueAt.clear();
        waitingForSlot.clear();
        inFlight.clear();
        share.close();
    }
}
