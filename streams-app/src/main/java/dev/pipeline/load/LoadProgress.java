package dev.pipeline.load;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Where a run reports progress: a bar on a terminal, periodic plain lines in logs and pipes, or nowhere. */
public interface LoadProgress extends AutoCloseable {
    /** Called by the generator about every 100 ms with the counts so far. */
    void update(LoadSummary sofar);

    @Override
    default void close() {}

    LoadProgress NONE = s -> {};

    /** A bar on a terminal (stderr), plain lines every {@code plainEverySeconds} otherwise. */
    static LoadProgress forConsole(String label, long total, PrintStream out, int plainEverySeconds) {
        return System.console() != null ? bar(label, total, out) : lines(out, plainEverySeconds);
    }

    /** The bar starts with the first update, so set-up time (registry, topic, metadata) is not in its rate. */
    static LoadProgress bar(String label, long total, PrintStream out) {
        return new LoadProgress() {
            private ProgressBar bar;

            @Override
            public void update(LoadSummary s) {
                if (bar == null) {
                    bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                            .setConsumer(new ConsoleProgressBarConsumer(out)).showSpeed().setUnit(" rec", 1).build();
                }
                bar.stepTo(s.fresh());
                bar.setExtraMessage(" acked " + s.acked() + (s.failed() > 0 ? " FAILED " + s.failed() : ""));
            }

            @Override
            public void close() {
                if (bar != null) {
                    bar.refresh();
                    bar.close();
                }
            }
        };
    }

    static LoadProgress lines(PrintStream out, int everySeconds) {
        return new LoadProgress() {
            private double lastPrinted;

            @Override
            public void update(LoadSummary s) {
                if (s.elapsedSeconds() - lastPrinted >= everySeconds) {
                    lastPrinted = s.elapsedSeconds();
                    out.printf(Locale.ROOT, "[%5.0fs] sent %d (acked %d, failed %d) at %.0f rec/s%n",
                            s.elapsedSeconds(), s.sent(), s.acked(), s.failed(), s.achievedRate());
                }
            }
        };
    }
}
