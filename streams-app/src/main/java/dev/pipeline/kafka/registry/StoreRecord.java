package dev.pipeline.kafka.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipeline.json.Json;

/**
 * What the registry persists, one record per key as in Confluent's {@code _schemas} topic: a
 * version (with its soft-delete mark), a compatibility config (subject, or {@code null} for the
 * global one), or the id counter. A later record for the same key replaces the earlier one; a removal (tombstone)
 * is a hard delete.
 */
public sealed interface StoreRecord {
    /** Confluent's key JSON: the identity compaction keeps one record for. */
    String key();

    record Version(SchemaVersion version, boolean deleted) implements StoreRecord {
        @Override
        public String key() {
            ObjectNode key = Json.MAPPER.createObjectNode();
            key.put("keytype", "SCHEMA").put("subject", version.subject()).put("version", version.version())
                    .put("magic", 1);
            return key.toString();
        }
    }

    /** {@code subject} null is the global config. */
    record Config(String subject, Compatibility level) implements StoreRecord {
        @Override
        public String key() {
            ObjectNode key = Json.MAPPER.createObjectNode();
            key.put("keytype", "CONFIG").put("subject", subject).put("magic", 0);
            return key.toString();
        }
    }

    /**
     * The next id to hand out, written on a hard delete: the counter is otherwise rebuilt from the
     * surviving versions, and a deleted highest id handed out again would make records still on
     * the topics decode with the wrong schema.
     */
    record NextId(int next) implements StoreRecord {
        @Override
        public String key() {
            return Json.MAPPER.createObjectNode().put("keytype", "NEXT_ID").put("magic", 0).toString();
        }
    }
}
