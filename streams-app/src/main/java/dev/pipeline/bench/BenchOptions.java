package dev.pipeline.bench;

import java.util.List;

/**
 * What a bench run does.
 *
 * @param records          records per measured run of each throughput scenario
 * @param runs             measured runs per scenario (the median is reported)
 * @param warmups          unmeasured runs first (JIT, page cache, broker warm-up)
 * @param partitions       partitions of every input topic (one stream thread reads them all)
 * @param latencyRate      offered rate of the order latency scenario, records/s
 * @param latencySeconds   how long that scenario offers load
 * @param only             scenario-name fragments to run, or {@code =name} for one exact name (empty = all)
 */
public record BenchOptions(long records, int runs, int warmups, int partitions, int latencyRate, int latencySeconds,
        List<String> only) {

    public BenchOptions {
        if (records < 1 || runs < 1 || warmups < 0 || partitions < 1 || latencyRate < 1 || latencySeconds < 1) {
            throw new IllegalArgumentException("bench options must be positive (warm-ups >= 0): " + records + " records, "
                    + runs + " runs, " + warmups + " warm-ups, " + partitions + " partitions, " + latencyRate + " rec/s for "
                    + latencySeconds + " s");
        }
        only = List.copyOf(only);
    }

    public static BenchOptions full() {
        return new BenchOptions(300_000, 3, 1, 4, 20_000, 10, List.of());
    }

    /** Tiny counts: proves every scenario runs end to end, the figures mean little. */
    public static BenchOptions quick() {
        return new BenchOptions(5_000, 1, 0, 2, 2_000, 2, List.of());
    }

    /** A fragment selects the names containing it; {@code =name} selects that name only (its variants share its prefix). */
    public boolean selected(String scenarioName) {
        return only.isEmpty() || only.stream().anyMatch(f -> f.startsWith("=") ? scenarioName.equalsIgnoreCase(f.substring(1))
                : scenarioName.toLowerCase().contains(f.toLowerCase()));
    }
}
