package dev.pipeline.logs;

import dev.pipeline.json.Json;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.CallOutcome;
import dev.pipeline.policy.DropReason;
import dev.pipeline.policy.ExternalCallPolicy;
import dev.pipeline.policy.ExternalHttp;
import dev.pipeline.policy.GuardedCall;
import dev.pipeline.schema.LogBatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.processor.TaskId;

/**
 * The optional external sink ({@code logs.sink.http.url}): each batch POSTed as JSON with
 * {@link ExternalHttp}'s client (connect and request timeouts of {@code external.call.timeout.ms}),
 * through the policy's {@link GuardedCall} (circuit breaker, bulkhead, retries with backoff).
 * One per pipeline; its worker threads ({@code external.call.max.concurrency}), the only pool of
 * the sink, make the calls themselves; they start with the first task that opens it and stop
 * with the last, so none outlives the tasks.
 *
 * <p>Each task gets a {@link BatchSink} with its own window of {@code logs.sink.max.in.flight}
 * batches: a full window holds the task's flushes back (backpressure into the buffer). Workers
 * hand outcomes back through the task's bounded queue, which the stream thread drains; only the
 * stream thread forwards or dead-letters. A breaker-refused call under
 * {@code external.circuit.open.policy=HOLD} keeps its window slot and is tried again.
 *
 * <p>Delivery is at-least-once: a batch's buffer entries are deleted only after its outcome
 * (and the next commit), so a crash makes it be flushed and POSTed again, and a 2xx answer that
 * is lost on the way back makes it be retried. Receivers should deduplicate if they care.
 */
final class HttpSink {
    /** Longest pause before a HELD batch is tried again (the breaker decides whether it goes). */
    private static final long HOLD_RETRY_MS = 1_000;

    private final URI url;
    private final ExternalCallPolicy policy;
    private final PipelineMetrics metrics;
    private final String pipeline;
    private int users;
    /** Null while no task uses the sink, so its selector thread stops (see {@link ExternalHttp#client}). */
    private volatile HttpClient client;
    private GuardedCall<LogBatch, Integer> call;
    private ThreadPoolExecutor workers;

    HttpSink(URI url, ExternalCallPolicy policy, PipelineMetrics metrics, String pipeline) {
        this.url = url;
        this.policy = policy;
        this.metrics = metrics;
        this.pipeline = pipeline;
    }

    /** A task's stage with a window of {@code window} batches; close it when the task closes. */
    synchronized BatchSink open(TaskId task, int window) {
        if (users++ == 0) {
            client = ExternalHttp.client(policy.callTimeoutMs());
            call = new GuardedCall<>(pipeline, policy, metrics, this::post);
            AtomicInteger n = new AtomicInteger();
            workers = new ThreadPoolExecutor(policy.maxConcurrency(), policy.maxConcurrency(), 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(window * 1_024), r -> {
                        Thread t = new Thread(r, "pipeline-" + pipeline + "-http-sink-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
        }
        return new TaskSink(call, workers, window);
    }

    private synchronized void release() {
        if (--users == 0) {
            workers.shutdownNow();
            try {
                workers.awaitTermination(policy.callTimeoutMs() + 1_000L, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            call.close();
            call = null;
            client = null;
            workers = null;
        }
    }

    /** The breaker's state for /api/status ({@code NOT_STARTED} while no task uses the sink). */
    synchronized String circuitState() {
        return call == null ? "NOT_STARTED" : call.circuitState().name();
    }

    /** The {@code pipeline_circuit_state} value (0 closed, 1 half-open, 2 open); 0 while no task uses the sink. */
    synchronized int circuitStateCode() {
        return call == null ? 0 : call.circuitStateCode();
    }

    private Integer post(LogBatch batch) throws Exception {
        HttpClient c = client;
        if (c == null) {
            throw new IOException("the HTTP sink has stopped");
        }
        return post(c, url, policy.callTimeoutMs(), batch);
    }

    /** One POST; 2xx is success, 4xx other than 408/429 a permanent failure, anything else retried. */
    static Integer post(HttpClient client, URI url, long timeoutMs, LogBatch batch) throws Exception {
        HttpRequest request = ExternalHttp.postJson(url, timeoutMs, json(batch));
        int code;
        try {
            code = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (HttpTimeoutException e) {
            throw new GuardedCall.CallTimeoutException(timeoutMs, e);
        }
        return switch (ExternalHttp.status(code)) {
            case SUCCESS -> code;
            case PERMANENT -> throw new GuardedCall.PermanentFailure("HTTP " + code + " from " + url, null);
            case RETRYABLE -> throw new IOException("HTTP " + code + " from " + url);
        };
    }

    /** The batch as JSON: its schema's fields (see {@link Json}). */
    static byte[] json(LogBatch b) throws IOException {
        return Json.MAPPER.writeValueAsBytes(b);
    }

    /** A task's window onto the shared workers. Its methods run on the stream thread only. */
    private final class TaskSink implements BatchSink {
        private final GuardedCall<LogBatch, Integer> call;
        private final ThreadPoolExecutor workers;
        private final int window;
        /** Never holds more than {@code window} results: at most that many deliveries are outstanding. */
        private final BlockingQueue<Result> results;
        private int inFlight;
        private volatile boolean closed;

        TaskSink(GuardedCall<LogBatch, Integer> call, ThreadPoolExecutor workers, int window) {
            this.call = call;
            this.workers = workers;
            this.window = window;
            this.results = new ArrayBlockingQueue<>(window);
        }

        @Override
        public boolean hasRoom() {
            return inFlight < window;
        }

        @Override
        public boolean external() {
            return true;
        }

        @Override
        public void submit(long id, String service, LogBatch batch) {
            inFlight++;
            try {
                workers.execute(() -> deliver(id, service, batch));
            } catch (RejectedExecutionException e) {
                results.add(new Result(id, service, batch, Optional.of(DropReason.RETRIES_EXHAUSTED), 0, e));
            }
        }

        private void deliver(long id, String service, LogBatch batch) {
            CallOutcome<Integer> outcome = call.call(batch);
            while (outcome.status() == CallOutcome.Status.HELD && !closed && !Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(Math.min(HOLD_RETRY_MS, policy.openWaitMs()));
                } catch (InterruptedException e) {
                    return;
                }
                outcome = call.call(batch);
            }
            if (!closed && outcome.status() != CallOutcome.Status.HELD) {
                results.add(new Result(id, service, batch, outcome.dropReason(), outcome.attempts(), outcome.failure()));
            }
        }

        @Override
        public List<Result> poll(long waitMs) {
            List<Result> out = new ArrayList<>();
            results.drainTo(out);
            if (out.isEmpty() && waitMs > 0) {
                try {
                    Result first = results.poll(waitMs, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        out.add(first);
                        results.drainTo(out);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            inFlight -= out.size();
            return out;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release();
            }
        }
    }
}
