package dev.pipeline.kafka.registry;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Registry semantics in memory, backed by a {@link SchemaStore}: ids are global and start at 1,
 * the same schema gets the same id in every subject, registering a live version twice is a no-op,
 * a new version must pass the subject's compatibility level (its own, else the global one,
 * BACKWARD by default), and versions are soft-deleted before they can be deleted for good, all as
 * Confluent's registry does. Used directly by TopologyTestDriver tests and as the core of
 * {@link EmbeddedSchemaRegistry}.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final SchemaStore store;
    private final Map<String, NavigableMap<Integer, StoreRecord.Version>> bySubject = new TreeMap<>();
    private final Map<String, Compatibility> subjectLevels = new HashMap<>();
    private Compatibility globalLevel;
    // kept after a hard delete so the same schema registered again gets its old id back
    private final Map<String, Integer> idByCanonical = new HashMap<>();
    // read on every deserialization of an uncached id, so lock-free
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private int nextId = 1;

    public InMemorySchemaRegistryClient() {
        this(SchemaStore.inMemory());
    }

    /** Loads everything the store holds, so ids handed out before a restart stay valid. */
    public InMemorySchemaRegistryClient(SchemaStore store) {
        this.store = store;
        for (StoreRecord record : store.readAll()) {
            if (record instanceof StoreRecord.Version v) {
                apply(v);
            } else if (record instanceof StoreRecord.Config c) {
                applyConfig(c.subject(), c.level());
            } else if (record instanceof StoreRecord.NextId n) {
                nextId = Math.max(nextId, n.next());
            }
        }
    }

    /**
     * The key for "same schema". Not Avro's Parsing Canonical Form: that drops defaults and docs,
     * and a changed default is a different schema for readers. A parsed schema printed back is
     * normalised JSON, so whitespace and key order do not matter (which is what {@code
     * normalize=true} asks of Confluent's registry).
     */
    static String canonical(Schema schema) {
        return schema.toString();
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        String canonical = canonical(schema);
        List<SchemaVersion> live = live(subject);
        for (SchemaVersion v : live) {
            if (canonical(v.schema()).equals(canonical)) {
                return v.id();
            }
        }
        List<String> problems = level(subject).problems(schema, live);
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(409, SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject '" + subject
                            + "', details: [" + String.join(", ", problems) + "]");
        }
        // soft-deleted versions keep their numbers, as in Confluent: a new version never reuses one
        NavigableMap<Integer, StoreRecord.Version> all = bySubject.get(subject);
        int nextVersion = all == null || all.isEmpty() ? 1 : all.lastKey() + 1;
        SchemaVersion created =
                new SchemaVersion(subject, nextVersion, idByCanonical.getOrDefault(canonical, nextId), schema);
        StoreRecord.Version record = new StoreRecord.Version(created, false);
        write(() -> store.put(record));
        apply(record);
        return created.id();
    }

    /** The live (or, with {@code deleted}, any) version of {@code subject} holding {@code schema}. */
    public synchronized SchemaVersion lookup(String subject, Schema schema, boolean deleted) {
        String canonical = canonical(schema);
        return versions(subject, deleted).stream()
                .filter(v -> canonical(v.schema()).equals(canonical))
                .reduce((first, later) -> later)
                .orElseThrow(SchemaRegistryException::schemaNotFound);
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

    /** Live versions of {@code subject}, oldest first; 40401 when there are none. */
    public synchronized List<SchemaVersion> versions(String subject) {
        return versions(subject, false);
    }

    /** Versions of {@code subject}, oldest first, soft-deleted ones too when {@code deleted}. */
    public synchronized List<SchemaVersion> versions(String subject, boolean deleted) {
        List<SchemaVersion> versions = deleted ? all(subject) : live(subject);
        if (versions.isEmpty()) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    /** Live version {@code version} of {@code subject}. */
    public synchronized SchemaVersion version(String subject, int version) {
        return version(subject, String.valueOf(version), false);
    }

    /** {@code spec} is a version number or {@code latest} (or -1), as in Confluent's paths. */
    public synchronized SchemaVersion version(String subject, String spec, boolean deleted) {
        List<SchemaVersion> versions = versions(subject, deleted);
        int wanted = parseVersion(spec);
        if (wanted == -1) {
            return versions.get(versions.size() - 1);
        }
        return versions.stream().filter(v -> v.version() == wanted).findFirst()
                .orElseThrow(() -> SchemaRegistryException.versionNotFound(wanted));
    }

    private static int parseVersion(String spec) {
        if (spec.equals("latest")) {
            return -1;
        }
        try {
            int version = Integer.parseInt(spec);
            if (version >= 1 || version == -1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // falls through to Confluent's 42202
        }
        throw SchemaRegistryException.invalidVersion(spec);
    }

    @Override
    public synchronized List<String> subjects() {
        return subjects(false);
    }

    /** Subjects with a live version, or with any version when {@code deleted}; sorted. */
    public synchronized List<String> subjects(boolean deleted) {
        return bySubject.keySet().stream().filter(s -> deleted || !live(s).isEmpty()).toList();
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        return compatibilityProblems(subject, schema, "latest").isEmpty();
    }

    /**
     * Why {@code schema} is not compatible under {@code subject}'s level: with {@code versionSpec}
     * against that one version, with {@code null} against every version the level checks.
     */
    public synchronized List<String> compatibilityProblems(String subject, Schema schema, String versionSpec) {
        if (versionSpec == null) {
            return level(subject).problems(schema, live(subject));
        }
        return level(subject).problems(schema, List.of(version(subject, versionSpec, false)));
    }

    /**
     * Soft-deletes one live version, or with {@code permanent} removes one already soft-deleted
     * (40407 otherwise). Returns the version number.
     */
    public synchronized int deleteVersion(String subject, String spec, boolean permanent) {
        // a numbered version is found even when soft-deleted, so a second soft delete is 40406 (not
        // 40402); "latest" means the latest live one unless deleting for good
        boolean latest = parseVersion(spec) == -1;
        StoreRecord.Version record = record(version(subject, spec, permanent || !latest));
        if (permanent) {
            if (!record.deleted()) {
                throw SchemaRegistryException.versionNotSoftDeleted(subject, record.version().version());
            }
            keepNextId();
            write(() -> store.remove(record));
            unapply(record.version());
        } else {
            if (record.deleted()) {
                throw SchemaRegistryException.versionSoftDeleted(subject, record.version().version());
            }
            StoreRecord.Version deleted = new StoreRecord.Version(record.version(), true);
            write(() -> store.put(deleted));
            apply(deleted);
        }
        return record.version().version();
    }

    /**
     * Soft-deletes every live version of {@code subject}, or with {@code permanent} removes a
     * subject whose versions are all soft-deleted (40405 otherwise), with its config. Returns the
     * version numbers deleted.
     */
    public synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        List<SchemaVersion> all = versions(subject, true);
        List<SchemaVersion> live = live(subject);
        if (permanent) {
            if (!live.isEmpty()) {
                throw SchemaRegistryException.subjectNotSoftDeleted(subject);
            }
            keepNextId();
            for (SchemaVersion v : all) {
                write(() -> store.remove(record(v)));
                unapply(v);
            }
            if (subjectLevels.containsKey(subject)) {
                setLevel(subject, null);
            }
            return all.stream().map(SchemaVersion::version).toList();
        }
        if (live.isEmpty()) {
            throw SchemaRegistryException.subjectSoftDeleted(subject);
        }
        for (SchemaVersion v : live) {
            StoreRecord.Version deleted = new StoreRecord.Version(v, true);
            write(() -> store.put(deleted));
            apply(deleted);
        }
        return live.stream().map(SchemaVersion::version).toList();
    }

    /** The global level, {@link Compatibility#DEFAULT} until someone sets one. */
    public synchronized Compatibility globalLevel() {
        return globalLevel == null ? Compatibility.DEFAULT : globalLevel;
    }

    /** The subject's own level, if it has one. */
    public synchronized Optional<Compatibility> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    /** What registrations under {@code subject} are checked with: its own level, else the global. */
    public synchronized Compatibility level(String subject) {
        return subjectLevel(subject).orElseGet(this::globalLevel);
    }

    /** Sets ({@code level} non-null) or removes the level of {@code subject}, or the global one when null. */
    public synchronized void setLevel(String subject, Compatibility level) {
        StoreRecord.Config record = new StoreRecord.Config(subject, level);
        write(() -> {
            if (level == null) {
                store.remove(record);
            } else {
                store.put(record);
            }
        });
        applyConfig(subject, level);
    }

    private void applyConfig(String subject, Compatibility level) {
        if (subject == null) {
            globalLevel = level;
        } else if (level == null) {
            subjectLevels.remove(subject);
        } else {
            subjectLevels.put(subject, level);
        }
    }

    /** Before a hard delete: ids are never handed out twice, even across a restart. */
    private void keepNextId() {
        StoreRecord.NextId record = new StoreRecord.NextId(nextId);
        write(() -> store.put(record));
    }

    private void write(Runnable storeWrite) {
        try {
            storeWrite.run();
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(500, SchemaRegistryException.STORE_ERROR,
                    "Error in the backend data store: " + e.getMessage(), e);
        }
    }

    private List<SchemaVersion> all(String subject) {
        NavigableMap<Integer, StoreRecord.Version> versions = bySubject.get(subject);
        return versions == null ? List.of()
                : versions.values().stream().map(StoreRecord.Version::version).toList();
    }

    private List<SchemaVersion> live(String subject) {
        NavigableMap<Integer, StoreRecord.Version> versions = bySubject.get(subject);
        return versions == null ? List.of()
                : versions.values().stream().filter(v -> !v.deleted()).map(StoreRecord.Version::version).toList();
    }

    private StoreRecord.Version record(SchemaVersion v) {
        return bySubject.get(v.subject()).get(v.version());
    }

    private void apply(StoreRecord.Version record) {
        SchemaVersion v = record.version();
        bySubject.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), record);
        idByCanonical.putIfAbsent(canonical(v.schema()), v.id());
        byId.putIfAbsent(v.id(), v.schema());
        nextId = Math.max(nextId, v.id() + 1);
    }

    /** A hard delete: the id stops resolving once no version of any subject uses it. */
    private void unapply(SchemaVersion v) {
        NavigableMap<Integer, StoreRecord.Version> versions = bySubject.get(v.subject());
        versions.remove(v.version());
        if (versions.isEmpty()) {
            bySubject.remove(v.subject());
        }
        boolean stillUsed = bySubject.values().stream().flatMap(m -> m.values().stream())
                .anyMatch(r -> r.version().id() == v.id());
        if (!stillUsed) {
            byId.remove(v.id());
        }
    }
}
