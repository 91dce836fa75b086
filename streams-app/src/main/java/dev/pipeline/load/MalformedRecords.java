package dev.pipeline.load;

import java.util.Random;

/**
 * Where the generator's malformed records come from. The policy package's bad-input corpus
 * (the one its integration test sends) plugs in here so {@code produce --malformed} and that
 * test draw from one generator; {@link BuiltInMalformedRecords} stands in until it does.
 */
@FunctionalInterface
public interface MalformedRecords {
    /**
     * A record that must not deserialize as a value of the topic's schema.
     *
     * @param valid a freshly serialized valid record, for kinds that corrupt a real one
     */
    RawRecord next(Random random, RawRecord valid);
}
