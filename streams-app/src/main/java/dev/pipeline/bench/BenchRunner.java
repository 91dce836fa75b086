package dev.pipeline.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs each scenario: prepare, warm-ups, measured runs, median; then drops its topics. Every run
 * starts after a full collection ({@link #collectBetweenRuns}): the broker, the clients and the
 * pipeline under test share this JVM, and without it the garbage of earlier runs (their apps,
 * clients and caches, promoted to the old generation) was collected inside a later run's window —
 * a 318 ms stop-the-world pause in the middle of a measured latency run in the JFR recording of
 * 2026-12-02 (BENCHMARKS.md).
 */
public final class BenchRunner {
    private final BenchEnvironment env;
    private final BenchOptions options;
    private final PrintStream log;

    public BenchRunner(BenchEnvironment env, BenchOptions options, PrintStream log) {
        this.env = env;
        this.options = options;
        this.log = log;
    }

    public List<ScenarioResult> run(List<Scenario> scenarios) {
        List<ScenarioResult> results = new ArrayList<>();
        for (Scenario s : scenarios) {
            if (!options.selected(s.name())) {
                continue;
            }
            results.add(runOne(s));
        }
        return results;
    }

    private ScenarioResult runOne(Scenario s) {
        if (s.unavailable().isPresent()) {
            log.printf("%-40s skipped: %s%n", s.name(), s.unavailable().get());
            return ScenarioResult.skipped(s, s.unavailable().get());
        }
        List<Measurement> measured = new ArrayList<>();
        try {
            Scenario.Run run = s.prepare(env, options);
            for (int i = 0; i < options.warmups(); i++) {
                collectBetweenRuns();
                Measurement m = run.measure("warmup-" + i);
                log.printf(Locale.ROOT, "%-40s warm-up %d: %,.0f rec/s%n", s.name(), i + 1, m.recordsPerSecond());
            }
            for (int i = 0; i < options.runs(); i++) {
                collectBetweenRuns();
                Measurement m = run.measure("run-" + i);
                measured.add(m);
                log.printf(Locale.ROOT, "%-40s run %d: %,.0f rec/s%s%n", s.name(), i + 1, m.recordsPerSecond(),
                        m.extras().isEmpty() ? "" : " " + m.extras());
            }
        } catch (Exception e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            log.printf("%-40s FAILED: %s%n", s.name(), why);
            return ScenarioResult.failed(s, why);
        } finally {
            try {
                env.dropTopics();
            } catch (RuntimeException e) {
                log.println("Warning: " + e.getMessage());
            }
        }
        return summarise(s, measured);
    }

    /** Outside every measured window: a run is charged only for the garbage it makes itself. */
    private static void collectBetweenRuns() {
        System.gc();
    }

    static ScenarioResult summarise(Scenario s, List<Measurement> measured) {
        List<Double> rates = measured.stream().map(Measurement::recordsPerSecond).toList();
        double median = median(rates);
        double noise = median == 0 ? 0 : (rates.stream().mapToDouble(d -> d).max().orElse(0)
                - rates.stream().mapToDouble(d -> d).min().orElse(0)) / median;
        Map<String, List<Double>> byKey = new HashMap<>();
        measured.forEach(m -> m.extras().forEach((k, v) -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(v)));
        Map<String, Double> extras = new HashMap<>();
        byKey.forEach((k, vs) -> extras.put(k, k.equals(PipelineScenario.BUFFER_PEAK_BYTES)
                ? vs.stream().mapToDouble(d -> d).max().orElse(0) : median(vs)));
        return new ScenarioResult(s.name(), s.group(), s.guarantee().name(), ScenarioResult.Status.OK, null, rates,
                median, noise, extras, null, null);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
