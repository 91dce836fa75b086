package dev.pipeline.orders;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An in-process {@link Authorizer}: {@link #script} decides each call's verdict at once, or
 * returns null to hold the call until {@link #complete} (an answer that arrives later, on the
 * test's thread, as a worker's would), or answers after {@link #answerAfterMs}. Records every request. {@code close()} is a no-op, so one
 * instance outlives a driver and can serve the next.
 */
final class FakeAuthorizer implements Authorizer {
    final List<Request> calls = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Answer>> held = new ConcurrentHashMap<>();
    volatile Function<Request, Verdict> script = r -> Verdict.APPROVED;
    /** Above 0: the script's verdict arrives this long after the call, on another thread (a healthy remote service). */
    volatile long answerAfterMs;

    @Override
    public CompletableFuture<Answer> authorize(Request request) {
        calls.add(request);
        Verdict v = script.apply(request);
        if (v == null) {
            CompletableFuture<Answer> f = new CompletableFuture<>();
            held.put(request.eventId(), f);
            return f;
        }
        Answer a = new Answer(v, "fake " + v);
        return answerAfterMs > 0
                ? CompletableFuture.supplyAsync(() -> a, CompletableFuture.delayedExecutor(answerAfterMs, TimeUnit.MILLISECONDS))
                : CompletableFuture.completedFuture(a);
    }

    /** Answers the held call of {@code eventId}. */
    void complete(String eventId, Verdict v) {
        CompletableFuture<Answer> f = held.remove(eventId);
        if (f == null) {
            throw new IllegalStateException("no held call for " + eventId + "; held: " + held.keySet());
        }
        f.complete(new Answer(v, "fake " + v));
    }

    long callsFor(String eventId) {
        return calls.stream().filter(r -> r.eventId().equals(eventId)).count();
    }
}
