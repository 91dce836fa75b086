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
     * Whether {@code schema} could be registered as the next version of {@code subject} under
     * BACKWARD compatibility (it can read data written with the latest version).
     */
    boolean isCompatible(String subject, Schema schema);
}
