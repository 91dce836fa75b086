package dev.pipeline.kafka.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where registered versions, soft deletions and compatibility configs live so that they survive
 * a restart. The registry reads everything once at start and writes each change before it
 * answers, so a crash can never leave an id in use that the store does not know.
 */
public interface SchemaStore extends AutoCloseable {

    /** The live record of every key (later records replace earlier ones, removals drop them). */
    List<StoreRecord> readAll();

    /** Durably stores {@code record}, replacing any with the same key; throws if unconfirmed. */
    void put(StoreRecord record);

    /** Durably removes the record with {@code record}'s key (a hard delete). */
    void remove(StoreRecord record);

    /** Stores one new, live version. */
    default void append(SchemaVersion version) {
        put(new StoreRecord.Version(version, false));
    }

    @Override
    default void close() {}

    /** A store that lives as long as the object: for tests and for the mock:// registries. */
    static SchemaStore inMemory() {
        return new SchemaStore() {
            private final Map<String, StoreRecord> byKey = new LinkedHashMap<>();

            @Override
            public synchronized List<StoreRecord> readAll() {
                return List.copyOf(byKey.values());
            }

            @Override
            public synchronized void put(StoreRecord record) {
                byKey.put(record.key(), record);
            }

            @Override
            public synchronized void remove(StoreRecord record) {
                byKey.remove(record.key());
            }
        };
    }
}
