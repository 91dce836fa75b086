package dev.pipeline.cli;

import dev.pipeline.config.ObserveKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.observe.LagMonitor;
import dev.pipeline.observe.LagReport;
import dev.pipeline.observe.LagSettings;
import dev.pipeline.observe.LagTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Per-partition consumer lag in the terminal; the logic lives in {@link LagReport}. */
@Command(name = "lag", mixinStandardHelpOptions = true,
        description = {"Per-partition consumer lag (records and seconds) and a status word "
                + "(OK, WARN, STALL, STOP, ERR) for the pipelines' consumer groups, or the ones given with --group.",
            "Without --bootstrap-servers it tries localhost:9092 (where 'run' puts the embedded broker) and says so.",
            "One sample judges only OK/ERR; --watch samples every interval and builds the window that WARN/STALL/STOP need.",
            "Exit 0 when every group was sampled, 1 when one is ERR (cluster unreachable), 2 on bad options."})
public final class LagCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--group", split = ",", paramLabel = "GROUP",
            description = "Consumer group(s) to report (repeatable or comma-separated). Default: the pipelines' groups (lag.groups).")
    List<String> groups = new ArrayList<>();

    @Option(names = "--watch", description = "Refresh in place every interval until interrupted (with --json: one JSON document per line).")
    boolean watch;

    @Option(names = "--json", description = "Print the same JSON as /api/lag instead of a table.")
    boolean json;

    @Option(names = "--interval", paramLabel = "MS", description = "Sampling interval for --watch in ms (default lag.poll.interval.ms).")
    Integer intervalMs;

    @Option(names = "--samples", paramLabel = "N", hidden = true, description = "Stop --watch after N samples (tests).")
    long samples;

    @Override
    public Integer call() {
        PipelineConfig config = common.loadOrLocalBroker("lag");
        if (intervalMs != null) {
            config = config.with(java.util.Map.of(ObserveKeys.LAG_POLL_INTERVAL_MS_CONFIG, intervalMs));
        }
        LagSettings settings = LagSettings.from(config);
        try (LagMonitor monitor = new LagMonitor(config.kafkaClientProps(),
                LagReport.targets(groups, LagTargets.from(config)), settings)) {
            return LagReport.run(monitor, json, watch, samples, settings.pollInterval(), System.console() != null, System.out);
        }
    }
}
