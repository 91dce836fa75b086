package dev.pipeline.kafka;

import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A store builder that builds {@code inner}'s store and wraps it in one of ours (the write-back
 * map, the logs buffer): name, changelog and caching settings are the inner builder's, so Kafka
 * Streams creates the same changelog topic as for the inner store alone.
 */
public record WrappingStoreBuilder<I extends StateStore, T extends StateStore>(StoreBuilder<I> inner,
        Function<I, T> wrap) implements StoreBuilder<T> {

    @Override
    public StoreBuilder<T> withCachingEnabled() {
        return new WrappingStoreBuilder<>(inner.withCachingEnabled(), wrap);
    }

    @Override
    public StoreBuilder<T> withCachingDisabled() {
        return new WrappingStoreBuilder<>(inner.withCachingDisabled(), wrap);
    }

    @Override
    public StoreBuilder<T> withLoggingEnabled(Map<String, String> config) {
        return new WrappingStoreBuilder<>(inner.withLoggingEnabled(config), wrap);
    }

    @Override
    public StoreBuilder<T> withLoggingDisabled() {
        return new WrappingStoreBuilder<>(inner.withLoggingDisabled(), wrap);
    }

    @Override
    public T build() {
        return wrap.apply(inner.build());
    }

    @Override
    public Map<String, String> logConfig() {
        return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
        return inner.loggingEnabled();
    }

    @Override
    public String name() {
        return inner.name();
    }
}
