package dev.pipeline.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A local KRaft cluster of N combined broker+controller nodes, each a child JVM ({@link ClusterNode})
 * with its own data dir under {@code dir/node-K}; all N are voters. Client ports are P, P+1, …
 * when a base port is given (else free ones); controller ports are picked at the first start and
 * kept in the node's properties, so a node restarted on its directory rejoins the same quorum.
 * With N ≥ 3, internal and default topics get replication factor 3 and min ISR 2.
 *
 * <p>Nothing restarts by itself: {@link #kill}, {@link #stop} and {@link #start} act on one node
 * (for broker-bounce tests); {@link #close} stops every node (SIGTERM, then SIGKILL past the timeout).
 */
public final class LocalCluster implements AutoCloseable {
    static final String STARTED_LINE = "cluster node started: ";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String NODE_HEAP = "-Xmx512m";

    /** One node: its id, client port, properties file and (while it runs) its process. */
    public static final class Node {
        private final int id;
        private final int port;
        private final Path propsFile;
        private Process process;

        private Node(int id, int port, Path propsFile) {
            this.id = id;
            this.port = port;
            this.propsFile = propsFile;
        }

        public int id() {
            return id;
        }

        public int port() {
            return port;
        }

        /** The child JVM's pid, or -1 while the node is down. */
        public synchronized long pid() {
            return process != null && process.isAlive() ? process.pid() : -1;
        }

        public synchronized boolean running() {
            return process != null && process.isAlive();
        }
    }

    private final List<Node> nodes;
    private final String bootstrapServers;

    private LocalCluster(List<Node> nodes) {
        this.nodes = List.copyOf(nodes);
        this.bootstrapServers = nodes.stream().map(n -> "localhost:" + n.port).collect(Collectors.joining(","));
    }

    /**
     * Prepares (first time: formats) and starts {@code count} nodes under {@code dir}, and waits
     * until every one of them is a registered broker.
     *
     * @param basePort client port of node 1 (node K gets basePort + K - 1); 0 for free ports
     */
    public static LocalCluster start(Path dir, int count, int basePort) {
        if (count < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node, got " + count);
        }
        try {
            Files.createDirectories(dir);
            List<Node> nodes = prepare(dir, count, basePort);
            LocalCluster cluster = new LocalCluster(nodes);
            try {
                for (Node n : nodes) {
                    cluster.launch(n);
                }
                cluster.awaitBrokers(count, START_TIMEOUT);
            } catch (RuntimeException e) {
                cluster.close();
                throw e;
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a local cluster in " + dir, e);
        }
    }

    private static List<Node> prepare(Path dir, int count, int basePort) throws IOException {
        int[] clientPorts = new int[count];
        int[] controllerPorts = new int[count];
        for (int k = 0; k < count; k++) {
            Properties existing = readIfExists(dir.resolve("node-" + (k + 1)).resolve("server.properties"));
            clientPorts[k] = basePort > 0 ? basePort + k : EmbeddedKafkaBroker.freePort();
            controllerPorts[k] = existing == null ? EmbeddedKafkaBroker.freePort()
                    : Integer.parseInt(existing.getProperty("controller.port"));
        }
        StringBuilder voters = new StringBuilder();
        for (int k = 0; k < count; k++) {
            voters.append(k == 0 ? "" : ",").append(k + 1).append("@localhost:").append(controllerPorts[k]);
        }
        int replication = count >= 3 ? 3 : count;
        String clusterId = Uuid.randomUuid().toString();
        List<Node> nodes = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Path nodeDir = Files.createDirectories(dir.resolve("node-" + (k + 1)));
            Path logDir = nodeDir.resolve("kraft-logs");
            Properties p = EmbeddedKafkaBroker.nodeProperties(k + 1, clientPorts[k], controllerPorts[k], voters.toString(),
                    logDir, replication);
            p.put("controller.port", String.valueOf(controllerPorts[k])); // ours, kept for restarts; Kafka ignores it
            Path propsFile = EmbeddedKafkaBroker.writeProperties(nodeDir, p, "local cluster node " + (k + 1));
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                EmbeddedKafkaBroker.format(propsFile, clusterId);
            }
            nodes.add(new Node(k + 1, clientPorts[k], propsFile));
        }
        return nodes;
    }

    private static Properties readIfExists(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p.getProperty("controller.port") == null ? null : p;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int id) {
        return nodes.get(id - 1);
    }

    /** SIGKILL of one node: no clean shutdown, no leadership hand-over. */
    public void kill(int id) {
        Node n = node(id);
        synchronized (n) {
            if (n.process != null) {
                n.process.destroyForcibly();
                waitFor(n.process, STOP_TIMEOUT);
            }
        }
    }

    /** SIGTERM of one node: Kafka's controlled shutdown moves its leaderships first. */
    public void stop(int id) {
        Node n = node(id);
        synchronized (n) {
            if (n.process != null) {
                n.process.destroy();
                if (!waitFor(n.process, STOP_TIMEOUT)) {
                    n.process.destroyForcibly();
                    waitFor(n.process, STOP_TIMEOUT);
                }
            }
        }
    }

    /** Starts a stopped node again on its data dir. */
    public void start(int id) {
        Node n = node(id);
        if (n.running()) {
            return;
        }
        launch(n);
    }

    private void launch(Node n) {
        Path dir = n.propsFile.getParent();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, NODE_HEAP, "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), ClusterNode.class.getName(), n.propsFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
        // the node is infrastructure: it must not pick up the app's settings from the environment
        pb.environment().keySet().removeIf(k -> k.startsWith("PIPELINE_") || k.startsWith("KAFKA_"));
        try {
            synchronized (n) {
                n.process = pb.start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start cluster node " + n.id, e);
        }
    }

    /** Waits until {@code expected} brokers are registered with the controller. */
    public void awaitBrokers(int expected, Duration timeout) {
        awaitAdmin("fewer than " + expected + " brokers", timeout,
                admin -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= expected);
    }

    /**
     * Waits until every partition of every topic (internal ones included) has all its replicas in
     * sync: what an operator waits for between two nodes of a rolling restart. Stopping the next node
     * earlier can leave a partition below {@code min.insync.replicas}, and writes to it stop.
     */
    public void awaitFullyReplicated(Duration timeout) {
        awaitAdmin("partitions still under-replicated", timeout, admin -> {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
            return admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                    .flatMap(d -> d.partitions().stream())
                    .allMatch(p -> p.isr().size() == p.replicas().size());
        });
    }

    /**
     * Moves every partition's leadership back to its preferred replica (the first of its replicas)
     * and waits until it is there: what an operator runs after a restarted node has caught up.
     * Without it leaderships pile up on the nodes that stayed up, and the last node of a rolling
     * restart takes all of them down with it at once.
     */
    public void electPreferredLeaders(Duration timeout) {
        awaitAdmin("partitions not led by their preferred replica", timeout, admin -> {
            var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
            var partitions = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                    .flatMap(d -> d.partitions().stream().filter(p -> p.leader() == null || p.leader().id() != p.replicas().get(0).id())
                            .map(p -> new TopicPartition(d.name(), p.partition())))
                    .collect(Collectors.toSet());
            if (partitions.isEmpty()) {
                return true;
            }
            // per-partition failures (e.g. ELECTION_NOT_NEEDED) are fine: the next round looks again
            admin.electLeaders(ElectionType.PREFERRED, partitions).partitions().get(10, TimeUnit.SECONDS);
            return false;
        });
    }

    /** A question to the cluster; a failed or timed-out admin call counts as "not yet". */
    @FunctionalInterface
    private interface AdminCheck {
        boolean holds(Admin admin) throws ExecutionException, TimeoutException, InterruptedException;
    }

    /** Asks {@code check} every 200 ms until it holds; fails at once if a node process has exited. */
    private void awaitAdmin(String failure, Duration timeout, AdminCheck check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            while (true) {
                for (Node n : nodes) {
                    if (n.process != null && !n.process.isAlive()) {
                        throw new IllegalStateException("cluster node " + n.id + " exited with " + n.process.exitValue()
                                + "; see " + n.propsFile.getParent().resolve("node.log"));
                    }
                }
                try {
                    if (check.holds(admin)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // a node is still joining; ask again
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("local cluster: " + failure + " after " + timeout.toSeconds()
                            + " s; see node.log under " + nodes.get(0).propsFile.getParent().getParent());
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the local cluster", e);
        }
    }

    private static boolean waitFor(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops every node: SIGTERM to all at once, then SIGKILL for any still running past the timeout. */
    @Override
    public void close() {
        List<Process> running = new ArrayList<>();
        for (Node n : nodes) {
            synchronized (n) {
                if (n.process != null && n.process.isAlive()) {
                    n.process.destroy();
                    running.add(n.process);
                }
            }
        }
        for (Process p : running) {
            if (!waitFor(p, STOP_TIMEOUT)) {
                p.destroyForcibly();
                waitFor(p, STOP_TIMEOUT);
            }
        }
    }
}
