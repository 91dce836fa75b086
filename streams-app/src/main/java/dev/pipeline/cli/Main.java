package dev.pipeline.cli;

import dev.pipeline.config.ConfigError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code streams-app.jar}: one picocli command per capability. */
@Command(name = "streams-app", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Kafka Streams event pipeline with backpressure: log aggregation and exactly-once order processing.",
        subcommands = {RunCommand.class, BrokerCommand.class, ProduceCommand.class, LagCommand.class,
                VerifyCommand.class, BenchCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit codes every command uses. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_BAD_CONFIG = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this in-process). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigError) {
                cmd.getErr().println("Configuration error: " + ex.getMessage());
                return EXIT_BAD_CONFIG;
            }
            cmd.getErr().println("Error: " + ex.getMessage());
            if (System.getenv("PIPELINE_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return EXIT_FAILURE;
        });
        cl.setParameterExceptionHandler((ex, params) -> {
            ex.getCommandLine().getErr().println(ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return EXIT_BAD_CONFIG;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"streams-app " + (v == null ? "dev" : v) + " (Kafka Streams "
                    + org.apache.kafka.common.utils.AppInfoParser.getVersion() + ")"};
        }
    }
}
