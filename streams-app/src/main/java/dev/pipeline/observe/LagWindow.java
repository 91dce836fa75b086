package dev.pipeline.observe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The last {@code size} samples of one partition of one group and the time its committed offset
 * last moved; judges the partition's {@link LagStatus}. Not thread-safe: owned by the monitor's
 * sampling call.
 */
final class LagWindow {
    /** One observation. {@code pending}: at least one data record (not only transaction markers) is unconsumed. */
    record Sample(long atMs, Long committed, long end, long lag, boolean pending) {}

    private final int size;
    private final ArrayDeque<Sample> samples;
    private long lastMoveMs;

    LagWindow(int size, long firstSeenMs) {
        this.size = size;
        this.samples = new ArrayDeque<>(size);
        this.lastMoveMs = firstSeenMs;
    }

    LagStatus add(Sample s, long stopAfterMs) {
        Sample previous = samples.peekLast();
        if (previous != null && !Objects.equals(previous.committed(), s.committed())) {
            lastMoveMs = s.atMs();
        }
        if (samples.size() == size) {
            samples.removeFirst();
        }
        samples.addLast(s);
        return evaluate(new ArrayList<>(samples), size, lastMoveMs, s.atMs(), stopAfterMs);
    }

    /**
     * The rules, in order: nothing pending → OK; no offset movement for {@code stopAfterMs} → STOP;
     * window not yet full → OK (not enough evidence); committed offset equal across the window →
     * STALL; lag strictly growing at every step → WARN; else OK.
     */
    static LagStatus evaluate(List<Sample> window, int size, long lastMoveMs, long nowMs, long stopAfterMs) {
        Sample last = window.get(window.size() - 1);
        if (last.lag() <= 0 || !last.pending()) {
            return LagStatus.OK;
        }
        if (nowMs - lastMoveMs >= stopAfterMs) {
            return LagStatus.STOP;
        }
        if (window.size() < size) {
            return LagStatus.OK;
        }
        Sample first = window.get(0);
        if (window.stream().allMatch(s -> Objects.equals(s.committed(), first.committed()))) {
            return LagStatus.STALL;
        }
        for (int i = 1; i < window.size(); i++) {
            if (window.get(i).lag() <= window.get(i - 1).lag()) {
                return LagStatus.OK;
            }
        }
        return LagStatus.WARN;
    }
}
