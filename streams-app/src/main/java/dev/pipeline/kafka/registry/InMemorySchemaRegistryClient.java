package dev.pipeline.kafka.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Registry semantics in memory, optionally backed by a {@link SchemaStore}: ids are global and
 * start at 1, the same schema gets the same id in every subject, registering a version twice is a
 * no-op, and a new version must be BACKWARD compatible with the latest (as Confluent's default).
 * Used directly by TopologyTestDriver tests and as the core of {@link EmbeddedSchemaRegistry}.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final SchemaStore store;
    private final Map<String, List<SchemaVersion>> bySubject = new TreeMap<>();
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    // read on every deserialization of an uncached id, so lock-free
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private int nextId = 1;

    public InMemorySchemaRegistryClient() {
        this(SchemaStore.inMemory());
    }

    /** Loads every version the store holds, so ids handed out before a restart stay valid. */
    public InMemorySchemaRegistryClient(SchemaStore store) {
        this.store = store;
        List<SchemaVersion> stored = new ArrayList<>(store.readAll());
        stored.sort(Comparator.comparing(SchemaVersion::subject).thenComparingInt(SchemaVersion::version));
        stored.forEach(this::apply);
    }

    /**
     * The key for "same schema". Not Avro's Parsing Canonical Form: that drops defaults and docs,
     * and a changed default is a different schema for readers. A parsed schema printed back is
     * normalised JSON, so whitespace and key order do not matter.
     */
    static String canonical(Schema schema) {
        return schema.toString();
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        String canonical = canonical(schema);
        List<SchemaVersion> versions = bySubject.getOrDefault(subject, List.of());
        for (SchemaVersion v : versions) {
            if (canonical(v.schema()).equals(canonical)) {
                return v.id();
            }
        }
        int nextVersion = 1;
        if (!versions.isEmpty()) {
            SchemaVersion latest = versions.get(versions.size() - 1);
            if (!backwardCompatible(schema, latest.schema())) {
                throw new SchemaRegistryException(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                        "Schema being registered is incompatible with an earlier schema for subject '"
                                + subject + "' (BACKWARD: it cannot read version " + latest.version() + ")");
            }
            nextVersion = latest.version() + 1;
        }
        SchemaVersion created =
                new SchemaVersion(subject, nextVersion, idByCanonical.getOrDefault(canonical, nextId), schema);
        try {
            store.append(created);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(500, SchemaRegistryException.STORE_ERROR,
                    "Error in the backend data store: " + e.getMessage(), e);
        }
        apply(created);
        return created.id();
    }

    private void apply(SchemaVersion v) {
        List<SchemaVersion> versions = bySubject.computeIfAbsent(v.subject(), s -> new ArrayList<>());
        if (versions.stream().anyMatch(existing -> existing.version() == v.version())) {
            return; // replayed twice from the store
        }
        versions.add(v);
        idByCanonical.putIfAbsent(canonical(v.schema()), v.id());
        byId.putIfAbsent(v.id(), v.schema());
        nextId = Math.max(nextId, v.id() + 1);
    }

    @Override
    public Schema getById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw SchemaRegistryException.schemaNotFound(id);
        }
        return schema;
    }

    @Override
    public synchronized SchemaVersion latest(String subject) {
        List<SchemaVersion> versions = versions(subject);
        return versions.get(versions.size() - 1);
    }

    /** All versions of {@code subject}, oldest first. */
    public synchronized List<SchemaVersion> versions(String subject) {
        List<SchemaVersion> versions = bySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        return List.copyOf(versions);
    }

    /** Version {@code version} of {@code subject}. */
    public synchronized SchemaVersion version(String subject, int version) {
        return versions(subject).stream()
                .filter(v -> v.version() == version)
                .findFirst()
                .orElseThrow(() -> new SchemaRegistryException(404,
                        SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found."));
    }

    @Override
    public synchronized List<String> subjects() {
        return List.copyOf(bySubject.keySet());
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return backwardCompatible(schema, latest(subject).schema());
    }

    /** BACKWARD: data written with {@code writer} can be read with {@code reader}. */
    static boolean backwardCompatible(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
                == SchemaCompatibilityType.COMPATIBLE;
    }
}
