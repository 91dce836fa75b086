package dev.pipeline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A target the project set itself, reported against the figures (never asserted: the machine decides). */
public record Goal(String goal, Status status, String detail) {
    public enum Status { MET, NOT_MET, NOT_MEASURED }

    static List<Goal> evaluate(List<ScenarioResult> results, BenchOptions options) {
        Map<String, ScenarioResult> ok = results.stream().filter(ScenarioResult::ok)
                .collect(Collectors.toMap(ScenarioResult::name, Function.identity()));
        List<Goal> goals = new ArrayList<>();
        // the DSL count is the steady baseline (the passthrough writes every record and moves 2x between runs)
        goals.add(ratio("logs ALOS >= 0.8x DSL windowed count (the bar)", ok.get(Scenarios.LOGS),
                ScenarioResult::ratioToDslCount, 0.8));
        goals.add(ratio("logs ALOS >= 1.0x DSL windowed count (the aim)", ok.get(Scenarios.LOGS),
                ScenarioResult::ratioToDslCount, 1.0));
        goals.add(ratio("orders EOS >= 0.35x DSL windowed count", ok.get(Scenarios.ORDERS_EOS),
                ScenarioResult::ratioToDslCount, 0.35));
        ScenarioResult alos = ok.get(Scenarios.ORDERS_ALOS);
        ScenarioResult eos = ok.get(Scenarios.ORDERS_EOS);
        if (alos == null || eos == null) {
            goals.add(new Goal("orders EOS >= 0.8x orders ALOS", Status.NOT_MEASURED, "orders scenarios did not run"));
        } else {
            double r = eos.recordsPerSecond() / alos.recordsPerSecond();
            goals.add(new Goal("orders EOS >= 0.8x orders ALOS", r >= 0.8 ? Status.MET : Status.NOT_MET, fmt("%.2fx", r)));
        }
        goals.add(latency(ok.get(OrderLatencyScenario.NAME), options));
        goals.add(buffer(results));
        return goals;
    }

    private static Goal ratio(String goal, ScenarioResult r, Function<ScenarioResult, Double> ratio, double min) {
        if (r == null || ratio.apply(r) == null) {
            return new Goal(goal, Status.NOT_MEASURED, "scenario or its reference did not run");
        }
        double v = ratio.apply(r);
        return new Goal(goal, v >= min ? Status.MET : Status.NOT_MET, fmt("%.2fx", v));
    }

    private static Goal latency(ScenarioResult r, BenchOptions options) {
        String goal = "order p99 <= 250 ms at 20k/s offered, input achieved >= 19,500/s";
        if (r == null || !r.extras().containsKey(OrderLatencyScenario.P99)) {
            return new Goal(goal, Status.NOT_MEASURED, "latency scenario did not run");
        }
        double p99 = r.extras().get(OrderLatencyScenario.P99);
        double achieved = r.extras().getOrDefault(OrderLatencyScenario.ACHIEVED_INPUT, 0.0);
        String detail = fmt("p99 %.0f ms at %d rec/s offered, %.0f/s achieved", p99, options.latencyRate(), achieved);
        if (options.latencyRate() < 20_000) {
            return new Goal(goal, Status.NOT_MEASURED, detail + " (below the 20k/s the goal names)");
        }
        return new Goal(goal, p99 <= 250 && achieved >= 19_500 ? Status.MET : Status.NOT_MET, detail);
    }

    private static Goal buffer(List<ScenarioResult> results) {
        String goal = "pipeline_buffer_bytes never above its cap (sampled every 2 ms)";
        List<String> seen = new ArrayList<>();
        boolean over = false;
        for (ScenarioResult r : results) {
            Optional<Double> peak = Optional.ofNullable(r.extras().get(PipelineScenario.BUFFER_PEAK_BYTES));
            Optional<Double> cap = Optional.ofNullable(r.extras().get(PipelineScenario.BUFFER_CAP_BYTES));
            if (peak.isPresent() && cap.isPresent()) {
                over |= peak.get() > cap.get();
                seen.add(fmt("%s: peak %.0f of %.0f bytes", r.name(), peak.get(), cap.get()));
            }
        }
        if (seen.isEmpty()) {
            return new Goal(goal, Status.NOT_MEASURED, "no scenario exposed the buffer gauges");
        }
        return new Goal(goal, over ? Status.NOT_MET : Status.MET, String.join("; ", seen));
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
