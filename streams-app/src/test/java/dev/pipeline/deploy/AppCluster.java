package dev.pipeline.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.testing.ChildApp;
import dev.pipeline.testing.HttpRegistry;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;

/**
 * Instances of the app as an operator scales it: child JVMs running the built jar's
 * {@code run --only PIPELINE} against one broker and one registry, each with its own state dir,
 * all with the same application ids. Everything started is killed in {@link #close()}.
 */
final class AppCluster implements AutoCloseable {
    /** Bound on a drain in these tests; the drain itself gets this + 5 s before RunCommand halts it. */
    static final int SHUTDOWN_TIMEOUT_MS = 20_000;
    /** Short session so a SIGKILLed member is noticed quickly (broker minimum is 6 s). */
    static final int SESSION_TIMEOUT_MS = 10_000;
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestBroker broker;
    private final HttpRegistry registry;
    private final Admin admin;
    private final List<ChildApp> started = new ArrayList<>();

    AppCluster(TestBroker broker) {
        this.broker = broker;
        this.registry = new HttpRegistry(broker.bootstrapServers());
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    String bootstrap() {
        return broker.bootstrapServers();
    }

    HttpRegistry registry() {
        return registry;
    }

    /** The environment every instance gets: what docker/compose.yml sets, with test-sized timeouts. */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINE_DEMO_RATE", "0");
        env.put("PIPELINE_SCHEMA_REGISTRY_URL", registry.url());
        env.put("PIPELINE_SHUTDOWN_TIMEOUT_MS", String.valueOf(SHUTDOWN_TIMEOUT_MS));
        env.put("KAFKA_NUM_STANDBY_REPLICAS", "1");
        env.put("PIPELINE_ROCKSDB_MEMORY_MAX_BYTES", String.valueOf(64L * 1024 * 1024));
        // /api/status reports task ownership with each conservation check: every second, not every 10 s
        env.put("PIPELINE_CONSERVATION_CHECK_INTERVAL_MS", "1000");
        // at_least_once commits every 30 s by default; the tests watch committed offsets move
        env.put("KAFKA_COMMIT_INTERVAL_MS", "1000");
        env.put("KAFKA_MAIN_CONSUMER_SESSION_TIMEOUT_MS", String.valueOf(SESSION_TIMEOUT_MS));
        return env;
    }

    /** Starts {@code run --only pipeline} in a child JVM; does not wait for it (see {@link ChildApp#awaitReady}). */
    ChildApp start(String name, String pipeline, Path stateDir, Map<String, String> extraEnv) {
        ChildApp app = ChildApp.builder(name).env(env()).env(extraEnv)
                .args("run", "--only", pipeline, "--bootstrap-servers", bootstrap(), "--http-port", "0",
                        "--state-dir", stateDir.toString())
                .start();
        started.add(app);
        return app;
    }

    ChildApp startReady(String name, String pipeline, Path stateDir) {
        return start(name, pipeline, stateDir, Map.of()).awaitReady(READY_TIMEOUT);
    }

    /**
     * Two instances {@code prefix-a} and {@code prefix-b} of {@code pipeline}, state under
     * {@code dir}: both ready, then {@code load} starts, then both have consumed records and share
     * the 4 partitions. The steady state every scale-out test measures from.
     */
    List<ChildApp> startTwoSharing(String prefix, String pipeline, Path dir, Runnable load) {
        ChildApp a = start(prefix + "-a", pipeline, dir.resolve("a"), Map.of());
        ChildApp b = start(prefix + "-b", pipeline, dir.resolve("b"), Map.of());
        a.awaitReady(READY_TIMEOUT);
        b.awaitReady(READY_TIMEOUT);
        load.run();
        awaitProcessing(a, pipeline);
        awaitProcessing(b, pipeline);
        awaitTasksSpread(pipeline, 4, a, b);
        return List.of(a, b);
    }

    /** The instance has consumed records itself (its share of the partitions), per its /api/status. */
    static void awaitProcessing(ChildApp app, String pipeline) {
        await(app.name() + " processing " + pipeline).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    var status = JSON.readTree(app.get("/api/status").body()).path("pipelines").path(pipeline);
                    return status.path("recordsIn").asLong(0) > 0 || status.path("records_in").asLong(0) > 0;
                });
    }

    /**
     * Steady state before a stop, kill or join is measured: every instance owns active tasks and
     * together they own all {@code partitions} (per /api/status), twice in a row a second apart.
     */
    static void awaitTasksSpread(String pipeline, int partitions, ChildApp... apps) {
        int[] stable = {0};
        await("active tasks of " + pipeline + " spread over " + apps.length + " instances").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    int total = 0;
                    boolean everyone = true;
                    for (ChildApp app : apps) {
                        var status = JSON.readTree(app.get("/api/status").body()).path("pipelines").path(pipeline);
                        // logs reports its tasks at the top, orders with its conservation terms
                        int tasks = status.has("tasks") ? status.path("tasks").asInt(0) : status.at("/conservation/tasks").asInt(0);
                        everyone &= tasks > 0;
                        total += tasks;
                    }
                    stable[0] = everyone && total == partitions ? stable[0] + 1 : 0;
                    return stable[0] >= 2;
                });
    }

    /**
     * Forgets an application between tests (what kafka-streams-application-reset does): its
     * consumer group and internal topics, so the next test starts from nothing. Every instance
     * must be stopped.
     */
    void resetApplication(String applicationId, Set<String> dataTopics) throws Exception {
        for (ChildApp c : started) {
            c.close();
        }
        started.clear();
        // a killed member (or one that closed without leaving) stays in the group until its session times out
        await("group " + applicationId + " deleted").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    if (admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                            .noneMatch(g -> g.groupId().equals(applicationId))) {
                        return true;
                    }
                    try {
                        admin.deleteConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS);
                        return true;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof GroupNotEmptyException || e.getCause() instanceof GroupIdNotFoundException) {
                            return e.getCause() instanceof GroupIdNotFoundException;
                        }
                        throw e;
                    }
                });
        Set<String> doomed = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                .filter(t -> t.startsWith(applicationId + "-") || dataTopics.contains(t)).collect(Collectors.toSet());
        if (!doomed.isEmpty()) {
            admin.deleteTopics(doomed).all().get(30, TimeUnit.SECONDS);
            await("topics deleted: " + doomed).atMost(Duration.ofSeconds(60)).until(() ->
                    admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().noneMatch(doomed::contains));
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (ChildApp c : started) {
            c.close();
        }
        admin.close(Duration.ofSeconds(5));
        registry.close();
    }
}
