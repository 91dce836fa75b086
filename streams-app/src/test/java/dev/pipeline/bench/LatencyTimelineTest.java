package dev.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyTimelineTest {
    private static final long START = 1_000_000L;

    @Test
    void theWorstSlotIsTheOneWhoseInputsWaitedLongest() {
        LatencyTimeline t = new LatencyTimeline(START, 2);
        for (int i = 0; i < 100; i++) {
            t.record(START + 10, 80);           // slot 0
            t.record(START + 600, 900);         // slot 1: a stall
            t.record(START + 1_200, 120);       // slot 2
        }

        assertThat(t.worstSlotP99()).isBetween(895L, 905L);
        assertThat(t.describe().split(" ")).hasSize(5);
        assertThat(t.describe()).startsWith("80/80 9");
    }

    @Test
    void inputsSentOutsideTheRunAreIgnoredAndEmptySlotsShowAsDashes() {
        LatencyTimeline t = new LatencyTimeline(START, 1);
        t.record(START - 1, 5_000);             // a probe from before the clock started
        t.record(START + 10_000, 5_000);        // after the run's last slot
        t.record(START + 700, 40);

        assertThat(t.worstSlotP99()).isEqualTo(40);
        assertThat(t.describe()).isEqualTo("- 40/40 -");
    }

    @Test
    void noResultsGiveZero() {
        assertThat(new LatencyTimeline(START, 1).worstSlotP99()).isZero();
    }
}
