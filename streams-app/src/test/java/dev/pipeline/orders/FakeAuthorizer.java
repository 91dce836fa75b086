package dev.pipeline.orders;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-process {@link Authorizer}: {@link #script} decides each call's verdict at once, or
 * returns null to hold the call until {@link #complete} (an answer that arrives later, on the
 * test's thread, as a worker's would). Records every request. {@code close()} is a no-op, so one
 * instance outlives a driver and can serve the next.
 */
final class FakeAuthorizer implements Authorizer {
    final List<Request> calls = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Answer>> held = new ConcurrentHashMap<>();
    volatile Function<Request, Verdict> script = r -> Verdict.APPROVED;

    @Override
    public CompletableFuture<Answer> authorize(Request request) {
        calls.add(request);
        Verdict v = script.apply(request);
        if (v == null) {
            CompletableFuture<Answer> f = new CompletableFuture<>();
            held.put(request.eventId(), f);
            return f;
        }
        return CompletableFuture.completedFuture(new Answer(v, "fake " + v));
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
