package dev.pipeline.orders;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uncaught exceptions of the orders pipeline's stream threads.
 *
 * <p>A corrupted task or a fenced/expired transactional producer is a transient condition of
 * exactly-once processing (a zombie was fenced, a transaction timed out, a rebalance moved the
 * task): the open transaction is aborted by the broker and a fresh thread re-initialises the
 * producer, restores the task from its changelog and resumes from the last committed offsets, so
 * nothing is lost or applied twice. Those get {@code REPLACE_THREAD}, at most
 * {@value #MAX_REPLACEMENTS} times per {@link #WINDOW} so a condition that never clears cannot
 * spin forever. Anything else (a bug, a poison record the handlers did not catch, a broker that
 * refuses us) is {@code SHUTDOWN_CLIENT}: fail fast and let {@code run} exit non-zero.
 */
public final class OrdersExceptionHandler implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersExceptionHandler.class);
    static final int MAX_REPLACEMENTS = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Set<Class<? extends Throwable>> RECOVERABLE = Set.of(TaskCorruptedException.class,
            TaskMigratedException.class, ProducerFencedException.class, InvalidProducerEpochException.class,
            InvalidPidMappingException.class);
    private static final int MAX_CAUSE_DEPTH = 10;

    private final Clock clock;
    private final Deque<Long> replacements = new ArrayDeque<>();

    public OrdersExceptionHandler() {
        this(Clock.systemUTC());
    }

    OrdersExceptionHandler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        if (!recoverable(exception)) {
            LOG.error("[orders] stream thread failed; shutting the orders client down", exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = clock.millis();
        while (!replacements.isEmpty() && replacements.peekFirst() <= now - WINDOW.toMillis()) {
            replacements.pollFirst();
        }
        if (replacements.size() >= MAX_REPLACEMENTS) {
            LOG.error("[orders] {} stream threads replaced within {}; giving up and shutting down", MAX_REPLACEMENTS,
                    WINDOW, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replacements.addLast(now);
        LOG.warn("[orders] stream thread failed with a recoverable exactly-once error; replacing the thread: {}",
                exception.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    static boolean recoverable(Throwable t) {
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            for (Class<? extends Throwable> c : RECOVERABLE) {
                if (c.isInstance(t)) {
                    return true;
                }
            }
        }
        return false;
    }
}
