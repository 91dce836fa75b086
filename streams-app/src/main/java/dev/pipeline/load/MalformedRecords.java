package dev.pipeline.load;

import java.util.Random;

/**
 * Where the generator's malformed records come from: {@link CorpusMalformedRecords}, the
 * policy package's bad-input corpus, so {@code produce --malformed} and the bad-input test draw
 * from one generator.
 */
@FunctionalInterface
public interface MalformedRecords {
    /**
     * A record the pipeline must drop (and dead-letter): one that does not deserialize, or breaks the input contract.
     *
     * @param valid a freshly serialized valid record, for kinds that corrupt a real one
     */
    RawRecord next(Random random, RawRecord valid);

    /** For runs that send no malformed records. */
    MalformedRecords NONE = (random, valid) -> {
        throw new IllegalStateException("this run was configured without malformed records");
    };
}
