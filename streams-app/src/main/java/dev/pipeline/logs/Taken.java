package dev.pipeline.logs;

import java.util.ArrayList;
import java.util.List;

/**
 * The summary of the events one flush took, oldest first.
 *
 * @param countByLevel events per {@code LogLevel} ordinal
 * @param eventBytes the events' own serialized size (the batch's {@code bytes})
 * @param samples the oldest events' bytes, at most the number asked for
 */
record Taken(String service, int count, long[] countByLevel, long windowStartMs, long firstEventTs,
        long lastEventTs, long maxRecordTs, long eventBytes, List<byte[]> samples) {

    static final class Builder {
        private final String service;
        private final int maxSamples;
        private final long[] byLevel = new long[8];
        private final List<byte[]> samples = new ArrayList<>();
        private int count;
        private long windowStart;
        private long first = Long.MAX_VALUE;
        private long last = Long.MIN_VALUE;
        private long maxRecordTs = Long.MIN_VALUE;
        private long eventBytes;

        Builder(String service, int maxSamples) {
            this.service = service;
            this.maxSamples = maxSamples;
        }

        /** Adds the head event of {@code c}, before the buffer removes it. */
        void add(BufferChunk c) {
            int p = c.head;
            long arrival = c.arrival(p);
            long recordTs = c.recordTs(p);
            long eventTs = c.eventTs(p);
            int level = c.level(p);
            int len = c.length(p);
            if (count == 0) {
                windowStart = arrival;
            }
            count++;
            byLevel[level & 7]++;
            first = Math.min(first, eventTs);
            last = Math.max(last, eventTs);
            maxRecordTs = Math.max(maxRecordTs, recordTs);
            eventBytes += len;
            if (samples.size() < maxSamples) {
                samples.add(c.event(p));
            }
        }

        int count() {
            return count;
        }

        Taken build() {
            return new Taken(service, count, byLevel, windowStart, first, last, maxRecordTs, eventBytes, samples);
        }
    }
}
