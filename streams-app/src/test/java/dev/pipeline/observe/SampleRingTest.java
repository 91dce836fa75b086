package dev.pipeline.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SampleRingTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void shouldHoldOneSamplePerIntervalOverTheWindow() {
        assertThat(SampleRing.over(Duration.ofMinutes(5), Duration.ofSeconds(5)).capacity()).isEqualTo(61);
        assertThat(SampleRing.over(Duration.ofMinutes(5), Duration.ofMillis(1)).capacity()).as("capped").isEqualTo(10_000);
    }

    @Test
    void shouldKeepOnlyTheNewestSamplesWhenFull() {
        SampleRing<Integer> ring = new SampleRing<>(Duration.ofHours(1), 3);
        for (int i = 0; i < 10; i++) {
            ring.add(T0.plusSeconds(i), i);
        }

        assertThat(ring.within(T0.plusSeconds(10))).extracting(SampleRing.Timed::value).containsExactly(7, 8, 9);
    }

    @Test
    void shouldServeOldestFirstAndOnlyWithinTheWindow() {
        SampleRing<String> ring = SampleRing.over(Duration.ofMinutes(5), Duration.ofSeconds(5));
        ring.add(T0, "a");
        ring.add(T0.plusSeconds(60), "b");
        ring.add(T0.plusSeconds(120), "c");

        assertThat(ring.within(T0.plusSeconds(120))).extracting(SampleRing.Timed::value).containsExactly("a", "b", "c");
        assertThat(ring.within(T0.plusSeconds(330))).as("5 minutes after 'a'").extracting(SampleRing.Timed::value)
                .containsExactly("b", "c");
        assertThat(ring.within(T0.plusSeconds(3_600))).isEmpty();
    }

    @Test
    void shouldDropSamplesOutsideTheWindowAsNewOnesArrive() {
        SampleRing<Integer> ring = new SampleRing<>(Duration.ofSeconds(10), 100);
        for (int i = 0; i <= 30; i++) {
            ring.add(T0.plusSeconds(i), i);
        }

        assertThat(ring.within(T0.plusSeconds(30))).extracting(SampleRing.Timed::value).first().isEqualTo(20);
    }

    @Test
    void shouldStartOverWhenTheClockStepsBack() {
        SampleRing<String> ring = new SampleRing<>(Duration.ofMinutes(5), 10);
        ring.add(T0, "a");
        ring.add(T0.plusSeconds(5), "b");
        ring.add(T0.minusSeconds(30), "after the step");

        assertThat(ring.within(T0.minusSeconds(30))).extracting(SampleRing.Timed::value).containsExactly("after the step");
    }

    @Test
    void shouldRefuseAnEmptyWindowOrCapacity() {
        assertThatThrownBy(() -> new SampleRing<>(Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SampleRing<>(Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
