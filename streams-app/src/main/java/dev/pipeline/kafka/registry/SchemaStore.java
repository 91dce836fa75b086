package dev.pipeline.kafka.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * Where registered versions live so that ids survive a restart. The registry reads everything once
 * at start and appends each new version before it hands out its id, so a crash can never leave an
 * id in use that the store does not know.
 */
public interface SchemaStore extends AutoCloseable {

    /** Every stored version; order does not matter. */
    List<SchemaVersion> readAll();

    /** Durably stores one version; throws if that cannot be confirmed. */
    void append(SchemaVersion version);

    @Override
    default void close() {}

    /** A store that lives as long as the object: for tests and for the mock:// registries. */
    static SchemaStore inMemory() {
        return new SchemaStore() {
            private final List<SchemaVersion> versions = new ArrayList<>();

            @Override
            public synchronized List<SchemaVersion> readAll() {
                return List.copyOf(versions);
            }

            @Override
            public synchronized void append(SchemaVersion version) {
                versions.add(version);
            }
        };
    }
}
