package dev.pipeline.load;

import java.util.Random;

/** The last {@code capacity} records sent, for duplicates: a retrying client resends what it sent lately. */
final class RecentRecords {
    private final RawRecord[] ring;
    private long added;

    RecentRecords(int capacity) {
        ring = new RawRecord[capacity];
    }

    void add(RawRecord r) {
        ring[(int) (added++ % ring.length)] = r;
    }

    /** A random one of the recent records; call after at least one {@link #add}. */
    RawRecord pick(Random random) {
        int size = (int) Math.min(added, ring.length);
        return ring[random.nextInt(size)];
    }
}
