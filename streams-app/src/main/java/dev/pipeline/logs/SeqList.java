package dev.pipeline.logs;

import java.util.Arrays;
import java.util.function.LongConsumer;

/** A growable list of sequence numbers without boxing (deletions waiting for a commit). */
final class SeqList {
    private long[] seqs = new long[64];
    private int size;

    void add(long seq) {
        if (size == seqs.length) {
            seqs = Arrays.copyOf(seqs, size * 2);
        }
        seqs[size++] = seq;
    }

    /** Moves every element of {@code other} to the end of this list. */
    void takeAll(SeqList other) {
        for (int i = 0; i < other.size; i++) {
            add(other.seqs[i]);
        }
        other.clear();
    }

    void forEach(LongConsumer action) {
        for (int i = 0; i < size; i++) {
            action.accept(seqs[i]);
        }
    }

    int size() {
        return size;
    }

    /** Empties the list, giving back memory a burst took. */
    void clear() {
        size = 0;
        if (seqs.length > 4_096) {
            seqs = new long[64];
        }
    }
}
