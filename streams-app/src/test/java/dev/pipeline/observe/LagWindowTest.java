package dev.pipeline.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.observe.LagWindow.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagWindowTest {
    private static final long STOP = 60_000;

    @Test
    void shouldBeOkWhenCaughtUpEvenIfOffsetNeverMoves() {
        assertThat(LagWindow.evaluate(List.of(s(0, 10L, 10), s(1, 10L, 10), s(2, 10L, 10)), 3, 0, 2_000, STOP))
                .isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldBeOkWhileWindowFills() {
        assertThat(LagWindow.evaluate(List.of(s(0, 5L, 10), s(1, 5L, 10)), 3, 0, 1_000, STOP)).isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldStallWhenCommittedFlatAcrossFullWindowWithLag() {
        assertThat(LagWindow.evaluate(List.of(s(0, 5L, 10), s(1, 5L, 12), s(2, 5L, 15)), 3, 0, 2_000, STOP))
                .isEqualTo(LagStatus.STALL);
    }

    @Test
    void shouldStallWhenNothingEverCommittedAndLagPending() {
        assertThat(LagWindow.evaluate(List.of(s(0, null, 10), s(1, null, 10), s(2, null, 10)), 3, 0, 2_000, STOP))
                .isEqualTo(LagStatus.STALL);
    }

    @Test
    void shouldWarnWhenMovingButLagGrowsAtEveryStep() {
        assertThat(LagWindow.evaluate(List.of(s(0, 5L, 10), s(1, 6L, 20), s(2, 7L, 30)), 3, 0, 2_000, STOP))
                .isEqualTo(LagStatus.WARN);
    }

    @Test
    void shouldBeOkWhenMovingAndLagNotGrowingEveryStep() {
        assertThat(LagWindow.evaluate(List.of(s(0, 5L, 10), s(1, 6L, 20), s(2, 20L, 15)), 3, 0, 2_000, STOP))
                .isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldStopWhenNoMovementForStopAfterEvenBeforeWindowIsFull() {
        assertThat(LagWindow.evaluate(List.of(s(0, 5L, 10)), 3, 0, STOP, STOP)).isEqualTo(LagStatus.STOP);
    }

    @Test
    void shouldBeOkWhenOnlyTransactionMarkersRemain() {
        List<Sample> w = List.of(new Sample(0, 10L, 11, 1, false), new Sample(1, 10L, 11, 1, false), new Sample(2, 10L, 11, 1, false));
        assertThat(LagWindow.evaluate(w, 3, 0, STOP * 2, STOP)).isEqualTo(LagStatus.OK);
    }

    @Test
    void shouldTrackLastMoveAndSlideTheWindow() {
        LagWindow window = new LagWindow(2, 0);
        assertThat(window.add(s(1_000, 5L, 10), 1_500)).isEqualTo(LagStatus.OK);
        assertThat(window.add(s(1_400, 5L, 10), 1_500)).isEqualTo(LagStatus.STALL);
        assertThat(window.add(s(1_800, 8L, 10), 1_500)).as("moved").isEqualTo(LagStatus.OK);
        assertThat(window.add(s(3_300, 8L, 10), 1_500)).as("no move for 1.5 s").isEqualTo(LagStatus.STOP);
    }

    @Test
    void shouldOrderStatusesBySeverity() {
        assertThat(LagStatus.OK.worst(LagStatus.STALL)).isEqualTo(LagStatus.STALL);
        assertThat(LagStatus.ERR.worst(LagStatus.WARN)).isEqualTo(LagStatus.ERR);
    }

    private static Sample s(long at, Long committed, long end) {
        long lag = end - (committed == null ? 0 : committed);
        return new Sample(at, committed, end, lag, lag > 0);
    }
}
