package dev.pipeline.bench;

import java.util.Optional;

/** One line of the bench table. */
public interface Scenario {
    /** What the ratios compare against: a scenario's guarantee picks its passthrough. */
    enum Guarantee { NONE, ALOS, EOS }

    String name();

    /** baseline, alternative (what a user would write instead), ours, latency. */
    String group();

    Guarantee guarantee();

    /** Why this scenario cannot run here (its topology is not built yet...), or empty. */
    default Optional<String> unavailable() {
        return Optional.empty();
    }

    /** Prepares the input once (fresh topics, preloaded records); each {@link Run#measure} is one run. */
    Run prepare(BenchEnvironment env, BenchOptions options) throws Exception;

    @FunctionalInterface
    interface Run {
        Measurement measure(String runId) throws Exception;
    }
}
