package dev.pipeline.bench;

import dev.pipeline.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results of one bench run with what they were measured on. Ratios: each scenario against
 * the Streams passthrough of its own guarantee (client baselines against the ALOS one), and
 * against the DSL windowed count; the latency scenario runs at a fixed offered rate, so it has
 * no ratio.
 */
public record BenchReport(String date, String command, MachineInfo machine, String loadAverageAtEnd,
        long stolenCpuMs, long peakRssBytes, String broker, BenchOptions options, long commitIntervalMs,
        List<ScenarioResult> scenarios, List<Goal> goals) {

    public static BenchReport of(String command, MachineInfo machine, String broker, BenchOptions options,
            long commitIntervalMs, List<ScenarioResult> results) {
        ScenarioResult ptAlos = find(results, StreamsScenario.PASSTHROUGH_ALOS);
        ScenarioResult ptEos = find(results, StreamsScenario.PASSTHROUGH_EOS);
        ScenarioResult dsl = find(results, StreamsScenario.DSL_COUNT);
        List<ScenarioResult> withRatios = new ArrayList<>();
        for (ScenarioResult r : results) {
            if (!r.ok() || "latency".equals(r.group())) {
                withRatios.add(r);
                continue;
            }
            ScenarioResult pt = Scenario.Guarantee.EOS.name().equals(r.guarantee()) ? ptEos : ptAlos;
            withRatios.add(r.withRatios(ratio(r, pt), ratio(r, dsl)));
        }
        return new BenchReport(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), command, machine,
                MachineInfo.currentLoadAverage(), stolenSince(machine), MachineInfo.peakRssBytes(), broker, options,
                commitIntervalMs, withRatios, Goal.evaluate(withRatios, options));
    }

    private static long stolenSince(MachineInfo machine) {
        long now = MachineInfo.stolenCpuMillis();
        return now < 0 || machine.stolenCpuMsAtStart() < 0 ? -1 : now - machine.stolenCpuMsAtStart();
    }

    private static ScenarioResult find(List<ScenarioResult> results, String name) {
        return results.stream().filter(r -> r.ok() && r.name().equals(name)).findFirst().orElse(null);
    }

    private static Double ratio(ScenarioResult r, ScenarioResult reference) {
        return reference == null || reference.recordsPerSecond() <= 0 ? null : r.recordsPerSecond() / reference.recordsPerSecond();
    }

    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-38s %-11s %-4s %12s %7s %9s %9s  %s%n", "scenario", "group", "guar",
                "records/s", "noise", "x pass", "x DSL", "notes"));
        for (ScenarioResult r : scenarios) {
            if (!r.ok()) {
                sb.append(String.format(Locale.ROOT, "%-38s %-11s %-4s %12s %7s %9s %9s  %s%n", r.name(), r.group(),
                        shortGuarantee(r.guarantee()), "-", "-", "-", "-", r.status() + ": " + r.reason()));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%-38s %-11s %-4s %,12.0f %6.0f%% %9s %9s  %s%n", r.name(), r.group(),
                    shortGuarantee(r.guarantee()), r.recordsPerSecond(), r.noise() * 100, x(r.ratioToPassthrough()),
                    x(r.ratioToDslCount()), notes(r.extras())));
        }
        sb.append(String.format(Locale.ROOT, "%nmachine: %d cores, %.1f GiB, %s, %s; load average %s at start, %s at end%n",
                machine.cores(), machine.memoryBytes() / (1024.0 * 1024 * 1024), machine.jdk(), machine.os(),
                machine.loadAverage(), loadAverageAtEnd));
        if (stolenCpuMs >= 0) {
            sb.append(String.format(Locale.ROOT, "CPU time stolen by the hypervisor during the bench: %.1f s over all cores%n",
                    stolenCpuMs / 1000.0));
        }
        sb.append(String.format(Locale.ROOT, "process: peak RSS %.0f MiB (VmHWM), max heap %.0f MiB; broker: %s%n",
                peakRssBytes / (1024.0 * 1024), machine.maxHeapBytes() / (1024.0 * 1024), broker));
        sb.append(String.format(Locale.ROOT,
                "runs: %d measured (median) after %d warm-up, %,d records each, %d partitions, one stream thread, commit.interval.ms=%d%n",
                options.runs(), options.warmups(), options.records(), options.partitions(), commitIntervalMs));
        sb.append("goals (reported, not asserted):\n");
        for (Goal g : goals) {
            sb.append(String.format(Locale.ROOT, "  %-13s %s: %s%n", g.status(), g.goal(), g.detail()));
        }
        return sb.toString();
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Json.PRETTY.writeValue(file.toFile(), this);
    }

    private static String shortGuarantee(String g) {
        return "NONE".equals(g) ? "-" : g.toLowerCase(Locale.ROOT);
    }

    private static String x(Double ratio) {
        return ratio == null ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    private static String notes(Map<String, Double> extras) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(extras).forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=')
                .append(String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.1f", v)));
        return sb.toString();
    }
}
