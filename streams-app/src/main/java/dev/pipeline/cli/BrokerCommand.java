package dev.pipeline.cli;

import dev.pipeline.app.HttpServerHost;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.EmbeddedKafkaBroker;
import dev.pipeline.kafka.LocalCluster;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded broker and registry alone, for developing other clients against them; with
 * {@code --nodes N} a local replicated cluster of N child JVMs ({@link LocalCluster}).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Start only the embedded Kafka broker (KRaft) and the embedded schema registry "
                + "(served on --http-port under /registry); prints the bootstrap address. Runs until SIGINT/SIGTERM.")
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--nodes", defaultValue = "1", paramLabel = "N",
            description = "Nodes of the local KRaft cluster (default 1, in this JVM). N > 1: each node a child JVM with "
                    + "its own data dir under the state dir, client ports P, P+1, … from embedded.broker.port; "
                    + "with N >= 3 replication factor 3 and min ISR 2. SIGTERM stops every node.")
    int nodes;

    @Mixin
    VerboseOption verbose;

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = common.load();
        ConsoleLogging.Routing kafkaLog = verbose.route(config.stateDir());
        Shutdown shutdown = Shutdown.install();
        Deque<AutoCloseable> closeables = new ArrayDeque<>();
        if (nodes < 1 || nodes > MAX_NODES) {
            System.err.println("--nodes=" + nodes + " is out of range. Allowed: 1 to " + MAX_NODES + ".");
            return Main.EXIT_BAD_CONFIG;
        }
        try {
            String bootstrap;
            LocalCluster cluster = null;
            if (nodes == 1) {
                EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.stateDir().resolve("broker"),
                        config.getInt(CoreKeys.EMBEDDED_BROKER_PORT_CONFIG));
                closeables.push(broker);
                bootstrap = broker.bootstrapServers();
            } else {
                cluster = LocalCluster.start(config.stateDir().resolve("cluster"), nodes,
                        config.getInt(CoreKeys.EMBEDDED_BROKER_PORT_CONFIG));
                closeables.push(cluster);
                bootstrap = cluster.bootstrapServers();
            }
            HttpServerHost http = HttpServerHost.start(config.getString(CoreKeys.HTTP_BIND_ADDRESS_CONFIG),
                    config.getInt(CoreKeys.HTTP_PORT_CONFIG));
            closeables.push(http);
            PipelineConfig withBroker = config.with(java.util.Map.of("bootstrap.servers", bootstrap));
            String registry = AppPlugins.INSTANCE.startEmbeddedRegistry(withBroker, http, closeables);
            if (cluster == null) {
                System.out.println(bootstrap);
            } else {
                System.out.println("bootstrap: " + bootstrap);
                for (LocalCluster.Node n : cluster.nodes()) {
                    System.out.println("node " + n.id() + ": pid " + n.pid() + " port " + n.port());
                }
            }
            System.out.println("Schema registry: " + (registry == null ? "(not available)" : registry));
            System.out.flush();
            shutdown.await(new CompletableFuture<>());
            return Main.EXIT_OK;
        } finally {
            Shutdown.drain(() -> closeAll(closeables), Duration.ofMillis(config.getInt(CoreKeys.SHUTDOWN_TIMEOUT_MS_CONFIG)));
            if (kafkaLog != null) {
                kafkaLog.close();
            }
        }
    }

    /** Each node is a JVM of 512 MiB; more than this on one machine is a mistake. */
    private static final int MAX_NODES = 9;

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
