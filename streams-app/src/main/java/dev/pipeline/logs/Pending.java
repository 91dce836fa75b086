package dev.pipeline.logs;

/**
 * What the in-memory index keeps of one buffered event (its bytes stay in the store). Enough to
 * build a batch, except the sample messages, which are read back from the store.
 *
 * @param storedBytes bytes counted against the buffer cap (store key + value)
 * @param eventBytes the serialized event alone (the batch's {@code bytes})
 */
record Pending(long seq, String service, long arrivalMs, long recordTs, long eventTs, int level, long storedBytes,
        int eventBytes) {}
