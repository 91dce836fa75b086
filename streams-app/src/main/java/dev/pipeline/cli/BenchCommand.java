package dev.pipeline.cli;

import dev.pipeline.bench.BenchEnvironment;
import dev.pipeline.bench.BenchOptions;
import dev.pipeline.bench.BenchReport;
import dev.pipeline.bench.BenchRunner;
import dev.pipeline.bench.MachineInfo;
import dev.pipeline.bench.ScenarioResult;
import dev.pipeline.bench.Scenarios;
import dev.pipeline.config.PipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The benchmark suite: baselines, the DSL alternative and our pipelines, in one process so ratios are fair. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the benchmark suite against an embedded broker (or --bootstrap-servers) and print a table: "
                + "raw producer/consumer, a hand-written copy loop, Streams passthrough (ALOS, EOS), a DSL windowed count, "
                + "our logs and orders pipelines, order latency at a fixed rate. Fresh topics per scenario, warm-up then "
                + "measured runs, medians. Scenarios whose pipeline is not built are listed as skipped.",
            "Every Streams scenario commits every 100 ms (--set commit.interval.ms=N to change). "
                + "Exit 0 when every scenario that exists ran; 1 if one failed."})
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "Tiny counts (5,000 records, 1 run, no warm-up): checks every scenario runs; the figures mean little.")
    boolean quick;

    @Option(names = "--records", paramLabel = "N", description = "Records per run of each throughput scenario (default 300,000; --quick 5,000).")
    Long records;

    @Option(names = "--runs", paramLabel = "N", description = "Measured runs per scenario; the median is reported (default 3; --quick 1).")
    Integer runs;

    @Option(names = "--warmups", paramLabel = "N", description = "Unmeasured runs before them (default 1; --quick 0).")
    Integer warmups;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of every input topic (default 4; --quick 2).")
    Integer partitions;

    @Option(names = "--latency-rate", paramLabel = "RECORDS_PER_S", description = "Offered rate of the order latency scenario (default 20,000; --quick 2,000).")
    Integer latencyRate;

    @Option(names = "--latency-seconds", paramLabel = "S", description = "How long the latency scenario offers load (default 10; --quick 2).")
    Integer latencySeconds;

    @Option(names = "--only", split = ",", paramLabel = "TEXT", description = "Run only scenarios whose name contains one of these (comma-separated); =NAME for exactly that name.")
    List<String> only = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    Path json;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = common.load();
        BenchOptions d = quick ? BenchOptions.quick() : BenchOptions.full();
        BenchOptions options = new BenchOptions(records != null ? records : d.records(), runs != null ? runs : d.runs(),
                warmups != null ? warmups : d.warmups(), partitions != null ? partitions : d.partitions(),
                latencyRate != null ? latencyRate : d.latencyRate(), latencySeconds != null ? latencySeconds : d.latencySeconds(),
                only);
        MachineInfo machine = MachineInfo.current();
        Path workDir = common.stateDir != null
                ? Files.createTempDirectory(Files.createDirectories(common.stateDir), "bench-") : Files.createTempDirectory("bench-");
        List<ScenarioResult> results;
        String broker;
        long commitIntervalMs;
        try (BenchEnvironment env = BenchEnvironment.start(config, workDir)) {
            broker = env.embeddedBroker() ? "embedded (same JVM)" : env.bootstrapServers();
            commitIntervalMs = env.commitIntervalMs();
            System.err.println("bench: broker " + broker + ", " + options);
            results = new BenchRunner(env, options, System.err).run(Scenarios.all());
        }
        BenchReport report = BenchReport.of(commandLine(), machine, broker, options, commitIntervalMs, results);
        System.out.print(report.table());
        if (json != null) {
            report.writeJson(json);
            System.out.println("JSON: " + json.toAbsolutePath());
        }
        return results.stream().anyMatch(r -> r.status() == ScenarioResult.Status.FAILED) ? Main.EXIT_FAILURE : Main.EXIT_OK;
    }

    private String commandLine() {
        return "java -jar streams-app.jar " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }
}
