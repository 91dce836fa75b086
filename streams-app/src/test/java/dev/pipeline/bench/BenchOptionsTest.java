package dev.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static BenchOptions only(String... fragments) {
        return new BenchOptions(5_000, 1, 0, 2, 2_000, 2, List.of(fragments));
    }

    @Test
    void aFragmentSelectsEveryNameContainingIt() {
        BenchOptions o = only("order latency");

        assertThat(o.selected("ours: order latency EOS")).isTrue();
        assertThat(o.selected("ours: order latency EOS, 5 ms authorizer")).isTrue();
        assertThat(o.selected("ours: orders EOS")).isFalse();
    }

    @Test
    void anEqualsSignSelectsThatNameOnlyIgnoringCase() {
        BenchOptions o = only("=Ours: Order Latency EOS");

        assertThat(o.selected("ours: order latency EOS")).isTrue();
        assertThat(o.selected("ours: order latency EOS, 5 ms authorizer")).isFalse();
    }

    @Test
    void nothingGivenSelectsEverything() {
        assertThat(only().selected("anything")).isTrue();
    }
}
