package dev.pipeline.observe;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What the {@code lag} command does, independent of the CLI: samples the groups and prints a
 * table or {@link LagJson}; with {@code watch} it samples every poll interval (building the
 * status window, so WARN/STALL can only show in watch mode: one sample is not a trend) and
 * redraws in place on a terminal, or prints one JSON document per line for scripts.
 */
public final class LagReport {
    /** ANSI: cursor home, clear to end of screen. */
    private static final String REDRAW = "\033[H\033[J";

    private LagReport() {}

    /**
     * @param samples how many samples to print in watch mode, 0 = until interrupted
     * @return 0 when every group was sampled, 1 when a group is ERR (cluster unreachable, ...)
     */
    public static int run(LagMonitor monitor, boolean json, boolean watch, long samples, Duration interval,
                          boolean terminal, PrintStream out) {
        LagSnapshot s = monitor.refreshNow();
        print(s, json, watch && terminal, out);
        for (long n = 1; watch && (samples == 0 || n < samples); n++) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s = monitor.refreshNow();
            print(s, json, terminal, out);
        }
        return s.groups().stream().anyMatch(g -> g.status() == LagStatus.ERR) ? 1 : 0;
    }

    private static void print(LagSnapshot s, boolean json, boolean redraw, PrintStream out) {
        if (json) {
            out.println(LagJson.write(s, false));
        } else {
            out.print((redraw ? REDRAW : "") + table(s));
        }
        out.flush();
    }

    /** Fixed-width table, one row per partition and a total row per group. */
    public static String table(LagSnapshot s) {
        StringBuilder b = new StringBuilder();
        String fmt = "%-24s %-24s %5s %12s %12s %10s %9s  %s%n";
        b.append(String.format(Locale.ROOT, fmt, "GROUP", "TOPIC", "PART", "COMMITTED", "END", "LAG", "LAG(s)", "STATUS"));
        for (GroupLag g : s.groups()) {
            for (PartitionLag p : g.partitions()) {
                b.append(String.format(Locale.ROOT, fmt, g.group(), p.topic(), p.partition(),
                        p.committedOffset() == null ? "-" : p.committedOffset(), p.endOffset(), p.lag(),
                        seconds(p.lagSeconds()), p.status()));
            }
            b.append(String.format(Locale.ROOT, fmt, g.group(), "(total)", "", "", "", g.totalLag(),
                    seconds(g.maxLagSeconds()), g.status() + (g.error() == null ? "" : "  " + g.error())));
        }
        b.append("sampled at ").append(s.at()).append(System.lineSeparator());
        return b.toString();
    }

    private static String seconds(Double s) {
        return s == null ? "?" : String.format(Locale.ROOT, "%.1f", s);
    }

    /** The groups to report: the named ones (no topics known), else the pipelines' own. */
    public static List<LagTarget> targets(List<String> groups, List<LagTarget> pipelineDefaults) {
        if (groups.isEmpty()) {
            return pipelineDefaults;
        }
        return groups.stream().map(g -> pipelineDefaults.stream().filter(t -> t.group().equals(g)).findFirst()
                .orElse(LagTarget.of(g))).toList();
    }
}
