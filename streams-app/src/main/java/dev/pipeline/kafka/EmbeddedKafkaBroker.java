package dev.pipeline.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker+controller) running in this JVM.
 * Data lives under the given directory, so a restart on the same directory keeps topics,
 * offsets and the registry's {@code _schemas}. Settings are the ones a single broker needs for
 * consumer groups and exactly-once to work at all (replication factors and ISR of 1).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
    }

    /**
     * Formats (first time only) and starts a broker.
     *
     * @param dataDir directory for the log dirs; reused across restarts
     * @param port    client port, 0 for a free one
     * @param overrides extra broker settings (tests use them to shrink timeouts)
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) {
        try {
            Files.createDirectories(dataDir);
            int clientPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Path logDir = dataDir.resolve("kraft-logs");
            // static voters: the controller port may change between restarts on the same data dir
            Properties props = nodeProperties(1, clientPort, controllerPort, "1@localhost:" + controllerPort, logDir, 1);
            props.putAll(overrides);
            Path propsFile = writeProperties(dataDir, props, "embedded broker; rewritten at every start");
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(propsFile, Uuid.randomUuid().toString());
            }
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            String bootstrap = "localhost:" + clientPort;
            LOG.info("Embedded Kafka broker started at {} (data in {})", bootstrap, dataDir.toAbsolutePath());
            return new EmbeddedKafkaBroker(server, bootstrap, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare embedded broker in " + dataDir, e);
        }
    }

    public static EmbeddedKafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, Map.of());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Embedded Kafka broker at {} stopped", bootstrapServers);
    }

    /**
     * One combined broker+controller node. {@code replication} is what the internal topics and
     * new topics get: 1 for a single node; 3 (with min ISR 2, so one node may be lost) for a cluster.
     */
    static Properties nodeProperties(int nodeId, int clientPort, int controllerPort, String voters, Path logDir,
            int replication) {
        String rf = String.valueOf(replication);
        String minIsr = String.valueOf(replication >= 3 ? 2 : 1);
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://localhost:" + clientPort + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + clientPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", rf);
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", rf);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", rf);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", rf);
        p.put("min.insync.replicas", minIsr);
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        if (replication >= 3) {
            // a killed node's leaderships move once the controller fences it, after this session
            // timeout (Kafka's default 9 s): the whole output pause of a hard bounce
            p.put("broker.session.timeout.ms", "4000");
            p.put("broker.heartbeat.interval.ms", "1000");
        }
        return p;
    }

    static Path writeProperties(Path dir, Properties props, String comment) throws IOException {
        Path propsFile = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(propsFile)) {
            props.store(w, comment);
        }
        return propsFile;
    }

    /** Formats a node's storage; every node of one cluster gets the same cluster id. */
    static void format(Path propsFile, String clusterId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] args = {"format", "-t", clusterId, "-c", propsFile.toString()};
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(args, ps);
        } catch (Exception e) {
            throw new IllegalStateException("formatting the embedded broker's storage failed: " + e.getMessage(), e);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting the embedded broker's storage failed (exit " + rc + "): "
                    + out.toString(StandardCharsets.UTF_8));
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
