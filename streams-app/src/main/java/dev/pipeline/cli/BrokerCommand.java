package dev.pipeline.cli;

import dev.pipeline.app.HttpServerHost;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The embedded broker and registry alone, for developing other clients against them. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Start only the embedded Kafka broker (KRaft) and the embedded schema registry "
                + "(served on --http-port under /registry); prints the bootstrap address. Runs until SIGINT/SIGTERM.")
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = common.load();
        Shutdown shutdown = Shutdown.install();
        Deque<AutoCloseable> closeables = new ArrayDeque<>();
        try {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.stateDir().resolve("broker"),
                    config.getInt(CoreKeys.EMBEDDED_BROKER_PORT_CONFIG));
            closeables.push(broker);
            HttpServerHost http = HttpServerHost.start(config.getString(CoreKeys.HTTP_BIND_ADDRESS_CONFIG),
                    config.getInt(CoreKeys.HTTP_PORT_CONFIG));
            closeables.push(http);
            PipelineConfig withBroker = config.with(java.util.Map.of("bootstrap.servers", broker.bootstrapServers()));
            String registry = AppPlugins.INSTANCE.startEmbeddedRegistry(withBroker, http, closeables);
            System.out.println(broker.bootstrapServers());
            System.out.println("Schema registry: " + (registry == null ? "(not available)" : registry));
            System.out.flush();
            shutdown.await(new CompletableFuture<>());
            return Main.EXIT_OK;
        } finally {
            Shutdown.drain(() -> closeAll(closeables), Duration.ofMillis(config.getInt(CoreKeys.SHUTDOWN_TIMEOUT_MS_CONFIG)));
        }
    }

    static void closeAll(Deque<AutoCloseable> closeables) {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                System.err.println("Error while closing: " + e);
            }
        }
    }
}
