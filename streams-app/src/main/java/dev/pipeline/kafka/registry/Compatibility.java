package dev.pipeline.kafka.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Confluent's compatibility levels, checked with Avro's own {@link SchemaCompatibility} so the
 * registry and the deserializer agree on what "can read" means. BACKWARD: the new schema reads
 * data written with the old; FORWARD: the old reads data written with the new; FULL: both. The
 * {@code _TRANSITIVE} forms check every live version, the others only the latest.
 */
public enum Compatibility {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    /** What a registry without any config uses, as Confluent's does. */
    public static final Compatibility DEFAULT = BACKWARD;

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    Compatibility(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Case-insensitive, as Confluent accepts {@code "full"}; anything else is its 42203. */
    public static Compatibility parse(String text) {
        if (text != null) {
            for (Compatibility level : values()) {
                if (level.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                    return level;
                }
            }
        }
        throw SchemaRegistryException.invalidCompatibility();
    }

    /**
     * Why {@code candidate} may not follow {@code existing} (oldest first, live versions only);
     * empty when it may. Each message names the version it conflicts with.
     */
    public List<String> problems(Schema candidate, List<SchemaVersion> existing) {
        List<SchemaVersion> against = transitive || existing.isEmpty()
                ? existing : existing.subList(existing.size() - 1, existing.size());
        List<String> problems = new ArrayList<>();
        for (SchemaVersion old : against) {
            if (backward) {
                describe(candidate, old.schema(), "BACKWARD", old.version(), problems);
            }
            if (forward) {
                describe(old.schema(), candidate, "FORWARD", old.version(), problems);
            }
        }
        return problems;
    }

    private static void describe(Schema reader, Schema writer, String direction, int version, List<String> out) {
        for (Incompatibility i : SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                .getResult().getIncompatibilities()) {
            out.add("{errorType:'" + i.getType() + "', description:'" + i.getMessage() + "', location:'"
                    + i.getLocation() + "', compatibility:'" + direction + "', version:" + version + "}");
        }
    }
}
