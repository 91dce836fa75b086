package dev.pipeline.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --verbose}, mixed into every command that runs Kafka code in this process ({@code run},
 * {@code broker}): one option, one help text and one place that decides where Kafka's own log
 * lines go, so the commands cannot drift apart.
 */
public final class VerboseOption {
    @Option(names = "--verbose", description = "Keep Kafka's own log lines (clients, Streams, embedded broker) on the "
            + "console; by default they go to <state-dir>/logs/kafka.log and only their errors are shown.")
    boolean verbose;

    /** Kafka's loggers sent to the state dir's log file, or {@code null} with {@code --verbose} (nothing to undo). */
    ConsoleLogging.Routing route(Path stateDir) {
        return verbose ? null : ConsoleLogging.kafkaToFile(stateDir);
    }
}
