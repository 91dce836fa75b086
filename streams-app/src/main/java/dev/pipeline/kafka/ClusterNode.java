package dev.pipeline.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * The main class of one node of a {@link LocalCluster}, run in a child JVM of its own so that a
 * test (or a user) can kill exactly one broker. Starts a KRaft broker+controller from the given
 * {@code server.properties} (already formatted) and stops it cleanly on SIGTERM or when the
 * process that started it exits.
 */
public final class ClusterNode {
    private ClusterNode() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ClusterNode <server.properties>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[0]))) {
            props.load(r);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "cluster-node-shutdown"));
        // a node outlives neither its cluster's process nor a killed test JVM: no orphaned brokers
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> System.exit(0)));
        server.startup();
        System.out.println(LocalCluster.STARTED_LINE + props.getProperty("node.id"));
        System.out.flush();
        server.awaitShutdown();
    }
}
