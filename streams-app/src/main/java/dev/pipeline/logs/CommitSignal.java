package dev.pipeline.logs;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A state store without data whose only job is to tell the buffer that its task committed.
 * Kafka Streams calls every registered store's {@link #commit} when it checkpoints after a
 * successful commit (at-least-once: after each one; also when a task closes cleanly), i.e. once
 * the output records sent before the commit are acknowledged and the input offsets committed.
 * The buffer deletes a flushed event's entry only then, so a crash can never leave the deletion
 * durable and the batch that carried the event lost. Calls from other threads (the state updater
 * checkpointing a restoring task) are ignored.
 */
final class CommitSignal implements StateStore {
    static final String NAME = "logs-commit-signal";

    private volatile Runnable listener;
    private volatile Thread owner;
    private volatile boolean open;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { });
        open = true;
    }

    /** Runs {@code onCommit} on this thread after each commit of the task, until {@link #close()}. */
    void attach(Runnable onCommit) {
        owner = Thread.currentThread();
        listener = onCommit;
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        Runnable l = listener;
        if (l != null && Thread.currentThread() == owner) {
            l.run();
        }
    }

    @Override
    public void close() {
        open = false;
        listener = null;
        owner = null;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    static StoreBuilder<CommitSignal> builder() {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitSignal> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitSignal> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitSignal> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("the commit signal has no data to log");
            }

            @Override
            public StoreBuilder<CommitSignal> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitSignal build() {
                return new CommitSignal();
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return NAME;
            }
        };
    }
}
