package dev.pipeline.logs;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * When an emitted event's entry may leave the buffer store. An entry whose event went out (in a
 * batch, or to the DLQ) is deleted only once that output cannot be lost any more:
 * <ul>
 *   <li>at-least-once: after the task's next successful commit ({@link CommitSignal}); deleting
 *       at once could let the store's changelog carry the deletion (a cache eviction) while the
 *       output is lost in a crash, after the input offset was committed already;</li>
 *   <li>exactly-once: at once, since the deletion commits atomically with the output;</li>
 *   <li>with the HTTP sink, additionally not before the sink's delivery ended (delivered, or
 *       dead-lettered), so a crash makes the batch be sent again (at-least-once) instead of lost.</li>
 * </ul>
 * Entries still waiting when the task stops are restored as buffered by the next owner and
 * emitted again: duplicates, never losses. Stream thread only.
 */
final class Deletions {
    private final KeyValueStore<Long, byte[]> store;
    private final boolean waitForCommit;
    private final SeqList unconfirmed = new SeqList();
    private final SeqList confirmed = new SeqList();
    /** Entries of batches the HTTP sink has not finished with, by batch id (at most its window). */
    private final Map<Long, long[]> heldForSink = new HashMap<>();

    Deletions(KeyValueStore<Long, byte[]> store, boolean waitForCommit) {
        this.store = store;
        this.waitForCommit = waitForCommit;
    }

    /** The entry's output was handed over. */
    void delete(long seq) {
        if (waitForCommit) {
            unconfirmed.add(seq);
        } else {
            store.put(seq, null);
        }
    }

    /** The entries of batch {@code id} wait for the sink's outcome, then for a commit. */
    void holdForSink(long id, long[] seqs) {
        heldForSink.put(id, seqs);
    }

    /** The sink finished with batch {@code id} (delivered, or dead-lettered). */
    void releaseFromSink(long id) {
        long[] seqs = heldForSink.remove(id);
        if (seqs != null) {
            for (long seq : seqs) {
                delete(seq);
            }
        }
    }

    /** The task committed: deletions requested before are safe; apply them when a store write is allowed. */
    void committed(boolean canWrite) {
        confirmed.takeAll(unconfirmed);
        if (canWrite) {
            applyConfirmed();
        }
    }

    void applyConfirmed() {
        if (confirmed.size() > 0) {
            confirmed.forEach(seq -> store.put(seq, null));
            confirmed.clear();
        }
    }

    /** Entries whose deletion is not yet written to the store. */
    long pending() {
        long held = 0;
        for (long[] seqs : heldForSink.values()) {
            held += seqs.length;
        }
        return unconfirmed.size() + confirmed.size() + held;
    }

    int heldForSink() {
        return heldForSink.size();
    }
}
