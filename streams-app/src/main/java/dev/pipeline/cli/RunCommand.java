package dev.pipeline.cli;

import dev.pipeline.app.PipelineApplication;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.TopicProvisioner;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Starts the pipelines and everything around them; drains on SIGINT/SIGTERM and exits 0. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start the pipelines (logs, orders), the HTTP server and, when no bootstrap servers are given, "
                + "an embedded Kafka broker + schema registry and a demo load. Runs until SIGINT/SIGTERM, then drains and exits 0.")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--only", split = ",", paramLabel = "PIPELINE",
            description = "Run only these pipelines (comma-separated: ${COMPLETION-CANDIDATES}).")
    Set<String> only = new LinkedHashSet<>();

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = common.load();
        ConsoleLogging.Routing kafkaLog = verbose.route(config.stateDir());
        List<PipelineApplication.Factory> factories = Pipelines.select(only);
        Shutdown shutdown = Shutdown.install();
        PipelineApplication app;
        try {
            app = PipelineApplication.start(config, factories, AppPlugins.INSTANCE);
        } catch (TopicProvisioner.ProvisioningException e) {
            System.err.println("Error: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        System.out.println("Pipelines " + app.pipelines().keySet() + " running against " + app.bootstrapServers());
        System.out.println("HTTP: http://" + app.http().bindAddress() + ":" + app.httpPort() + "/ (dashboard, /metrics, /health/ready)");
        System.out.println("Schema registry: " + app.config().getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG));
        if (kafkaLog != null) {
            System.out.println("Kafka's own log lines: " + kafkaLog.file() + " (--verbose shows them here)");
        }
        System.out.flush();
        String failure = shutdown.await(app.failure());
        long t0 = System.nanoTime();
        Shutdown.drain(app::close, Duration.ofMillis(config.getInt(CoreKeys.SHUTDOWN_TIMEOUT_MS_CONFIG) + 5_000L));
        if (failure != null) {
            System.err.println("Error: " + failure);
            return Main.EXIT_FAILURE;
        }
        System.err.println("Drained and stopped in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return Main.EXIT_OK;
    }
}
