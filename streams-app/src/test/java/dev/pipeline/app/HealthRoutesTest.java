package dev.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.observe.GroupLag;
import dev.pipeline.observe.LagStatus;
import dev.pipeline.observe.PartitionLag;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Readiness's view of a group's progress: a group of ours that is stuck (STALL, STOP) or cannot be
 * asked (ERR) makes {@code /health/ready} 503 with a reason naming the group and what was seen;
 * OK and WARN (moving, if behind) do not.
 */
class HealthRoutesTest {
    private static GroupLag group(LagStatus status, String error, long lag) {
        return new GroupLag("pipeline-orders", status, error,
                List.of(new PartitionLag("orders", 0, 10L, 10L + lag, lag, 1.0, status)));
    }

    @Test
    void shouldGiveTheAdminErrorAsTheReasonWhenTheClusterDoesNotAnswer() {
        assertThat(HealthRoutes.notAdvancing(group(LagStatus.ERR, "cluster did not answer within 5000 ms", 7)))
                .hasValue("brokers unavailable: group pipeline-orders: cluster did not answer within 5000 ms");
    }

    @Test
    void shouldSayTheInputIsNotAdvancingWhenTheGroupStallsOrStops() {
        assertThat(HealthRoutes.notAdvancing(group(LagStatus.STALL, null, 42))).get().asString()
                .startsWith("input not advancing: group pipeline-orders has lag 42");
        assertThat(HealthRoutes.notAdvancing(group(LagStatus.STOP, null, 42))).get().asString()
                .contains("committed nothing for lag.stop.after.ms");
    }

    @Test
    void shouldStayReadyWhileTheGroupMoves() {
        assertThat(HealthRoutes.notAdvancing(group(LagStatus.OK, null, 0))).isEmpty();
        assertThat(HealthRoutes.notAdvancing(group(LagStatus.WARN, null, 500))).isEmpty();
    }
}
