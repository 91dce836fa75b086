package dev.pipeline.bench;

import java.util.Locale;
import java.util.StringJoiner;
import org.HdrHistogram.Histogram;

/**
 * Latency of a run's results by the time their input was sent, in fixed slots from the run's start,
 * so a p99 shows whether it comes from the start of the run or from a stall in the middle (a p99 is
 * the worst 1%: at 20,000/s for 10 s, a tenth of a second of the run).
 */
final class LatencyTimeline {
    static final long SLOT_MS = 500;
    private final long startMs;
    private final Histogram[] slots;

    LatencyTimeline(long startMs, long seconds) {
        this.startMs = startMs;
        this.slots = new Histogram[(int) (seconds * 1000 / SLOT_MS) + 1];
    }

    /** A result whose input was stamped {@code sentMs}, seen {@code latencyMs} later; results sent outside the run are ignored. */
    void record(long sentMs, long latencyMs) {
        long slot = Math.floorDiv(sentMs - startMs, SLOT_MS);
        if (slot < 0 || slot >= slots.length) {
            return;
        }
        if (slots[(int) slot] == null) {
            slots[(int) slot] = new Histogram(3_600_000L, 2);
        }
        slots[(int) slot].recordValue(latencyMs);
    }

    /** p99 of the slot with the highest p99, in ms; 0 without results. */
    long worstSlotP99() {
        long worst = 0;
        for (Histogram h : slots) {
            worst = h == null ? worst : Math.max(worst, h.getValueAtPercentile(99));
        }
        return worst;
    }

    /** {@code p99/max} in ms per slot, in send order, for the run's log line. */
    String describe() {
        StringJoiner j = new StringJoiner(" ");
        for (Histogram h : slots) {
            j.add(h == null ? "-" : String.format(Locale.ROOT, "%d/%d", h.getValueAtPercentile(99), h.getMaxValue()));
        }
        return j.toString();
    }
}
