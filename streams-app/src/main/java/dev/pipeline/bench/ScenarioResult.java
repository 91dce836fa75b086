package dev.pipeline.bench;

import java.util.List;
import java.util.Map;

/**
 * A scenario's line in the report. {@code recordsPerSecond} is the median over the measured runs,
 * {@code noise} their spread ((max - min) / median); ratios are null where they do not apply.
 */
public record ScenarioResult(String name, String group, String guarantee, Status status, String reason,
        List<Double> runs, double recordsPerSecond, double noise, Map<String, Double> extras,
        Double ratioToPassthrough, Double ratioToDslCount) {

    public enum Status { OK, SKIPPED, FAILED }

    public ScenarioResult {
        runs = List.copyOf(runs);
        extras = Map.copyOf(extras);
    }

    static ScenarioResult skipped(Scenario s, String reason) {
        return new ScenarioResult(s.name(), s.group(), s.guarantee().name(), Status.SKIPPED, reason, List.of(), 0, 0,
                Map.of(), null, null);
    }

    static ScenarioResult failed(Scenario s, String reason) {
        return new ScenarioResult(s.name(), s.group(), s.guarantee().name(), Status.FAILED, reason, List.of(), 0, 0,
                Map.of(), null, null);
    }

    ScenarioResult withRatios(Double toPassthrough, Double toDsl) {
        return new ScenarioResult(name, group, guarantee, status, reason, runs, recordsPerSecond, noise, extras,
                toPassthrough, toDsl);
    }

    public boolean ok() {
        return status == Status.OK;
    }
}
