package dev.pipeline.kafka.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The part of a Confluent-compatible schema registry the serdes and the app need. Every method
 * throws {@link SchemaRegistryException} on failure (with {@code isNotFound()} for unknown
 * subjects and ids).
 */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema getById(int id);

    /** The newest version registered under {@code subject}. */
    SchemaVersion latest(String subject);

    /** Subjects that have at least one version, sorted. */
    List<String> subjects();

    /**
     * Whether {@code schema} is compatible with the latest version of {@code subject} under the
     * subject's compatibility level (BACKWARD unless configured: it can read the latest's data).
     */
    boolean isCompatible(String subject, Schema schema);
}
