package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.deploy.LogsTraffic;
import dev.pipeline.kafka.LocalCluster;
import dev.pipeline.testing.ChildApp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both pipelines of the built jar ({@code run --only orders,logs}; orders exactly_once_v2, logs
 * at_least_once) on a local 3-node KRaft cluster ({@link LocalCluster}: replication factor 3, min
 * ISR 2 for every topic, internal ones included) under load on both, through Apache Kafka's
 * {@code streams_broker_bounce_test} disruptions: a rolling restart (each node stopped cleanly and
 * started again in turn), the loss of two of three nodes (writes stop; the app waits, readiness
 * says why, and resumes when one node is back), and a hard bounce (the broker leading most input
 * partitions SIGKILLed, left down). The app must carry on by itself: same process, no thread
 * replaced in a loop; orders: nothing missing, nothing duplicated, no open transaction; logs: the
 * batches plus the drops cover every event sent and the conservation check holds.
 *
 * <p>Each test logs one {@code MEASURED} line: the longest pause of the committed orders output
 * from the disruption's start to the end of the load, and the p99 of produce→result latency of the
 * events sent from the disruption's start until {@link #AFTER_MS} after it ended. Timings are
 * reported, not asserted. Run these alone with {@code mvn ... -Dit.test='ReplicatedClusterIT' verify}
 * (every cluster test carries the JUnit tag {@code cluster}).
 *
 * <p>The hard bounce kills a node for good, so it runs last; the others need all three.
 */
@Tag("integration")
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicatedClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedClusterIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Orders events generated; the load stops {@link #AFTER_MS} after the disruption, usually long before. */
    private static final int MAX_RECORDS = 200_000;
    /** Steady load the app keeps up with on a shared 2-core machine, so a pause shows as latency, not backlog. */
    private static final int PRODUCE_RATE = 200;
    private static final int LOGS_RATE = 100;
    /** Input sent (and output seen) before the disruption starts. */
    private static final int BEFORE_RECORDS = 2_000;
    private static final int LOGS_SERVICES = 16;
    private static final long PAYMENT_TIMEOUT_MS = 5_000;
    private static final long AFTER_MS = 5_000;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    static Path tmp;

    private static LocalCluster nodes;
    private static OrdersCluster orders;

    @BeforeAll
    static void startCluster() {
        nodes = LocalCluster.start(tmp.resolve("cluster"), 3, 0);
        orders = new OrdersCluster(nodes.bootstrapServers());
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        if (orders != null) {
            orders.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    @Order(1)
    void shouldLoseAndDuplicateNothingThroughARollingRestart() throws Exception {
        underLoad("rolling", (topic, app) -> {
            for (LocalCluster.Node n : nodes.nodes()) {
                nodes.stop(n.id());
                nodes.start(n.id());
                nodes.awaitBrokers(3, Duration.ofSeconds(60));
                // as an operator does: the next node goes only once the restarted one is back in every
                // ISR and leads its share again (else the last node stopped takes every leadership down)
                nodes.awaitFullyReplicated(Duration.ofSeconds(90));
                nodes.electPreferredLeaders(Duration.ofSeconds(60));
            }
            return "rolling restart (SIGTERM, start, wait until fully replicated, preferred leaders) of nodes 1-3";
        });
    }

    @Test
    @Order(2)
    void shouldWaitUnreadyWithAReasonWhileTwoOfThreeAreDownAndResumeWhenOneReturns() throws Exception {
        try {
            underLoad("two-down", (topic, app) -> {
                nodes.kill(1);
                nodes.kill(2);
                String reason = await("readiness 503 with a reason").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500)).until(() -> notReadyReason(app), r -> !r.isEmpty() || !app.alive());
                assertThat(app.alive()).as(app.logTail()).isTrue();
                LOG.info("[two-down] readiness while two of three are down: 503, reason: {}", reason);
                return "SIGKILL of nodes 1 and 2 (below min ISR), readiness 503 (" + reason + ")";
            }, (app, latency) -> {
                // min ISR 2 with one broker: nothing can be written, so nothing new is committed; the app waits
                int frozen = latency.results();
                await("no output while below min ISR, app alive").during(Duration.ofSeconds(10))
                        .atMost(Duration.ofSeconds(15)).until(() -> app.alive() && latency.results() <= frozen + 50);
                long t = System.nanoTime();
                nodes.start(2);
                await("ready again once a second node is back").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(500)).until(() -> notReadyReason(app).isEmpty() || !app.alive());
                LOG.info("[two-down] node 2 started; ready again {} ms later", (System.nanoTime() - t) / 1_000_000);
                return "node 2 started again";
            });
        } finally {
            // the hard bounce after this one needs all three
            nodes.start(1);
            nodes.start(2);
            nodes.awaitBrokers(3, Duration.ofSeconds(90));
            nodes.awaitFullyReplicated(Duration.ofSeconds(120));
        }
    }

    @Test
    @Order(3)
    void shouldLoseAndDuplicateNothingWhenTheBrokerLeadingMostInputIsKilledForGood() throws Exception {
        underLoad("bounce", (topic, app) -> {
            int victim = leaderOfMost(topic);
            nodes.kill(victim);
            return "SIGKILL of node " + victim + " (leader of most input partitions), left down";
        });
    }

    /** What a test does to the cluster; returns a description for the log. */
    @FunctionalInterface
    private interface Disruption {
        String apply(String inputTopic, ChildApp app) throws Exception;
    }

    /** What a test does after the disruption, while the load still runs (the recovery); returns a description. */
    @FunctionalInterface
    private interface Recovery {
        String apply(ChildApp app, ResultLatency latency) throws Exception;
    }

    private void underLoad(String prefix, Disruption disruption) throws Exception {
        underLoad(prefix, disruption, (app, latency) -> "");
    }

    /**
     * Runs the app under load on both pipelines, applies {@code disruption} (then {@code recovery})
     * a third of the way through, and checks that the same app process ends with every orders
     * result exactly once and every log event accounted for.
     */
    private void underLoad(String prefix, Disruption disruption, Recovery recovery) throws Exception {
        OrdersCluster.Names names = new OrdersCluster.Names(prefix);
        orders.createTopics(names);
        List<OrderLoad.Send> load = OrderLoad.generate(prefix.hashCode(), MAX_RECORDS, 0.05, 300, 1, PAYMENT_TIMEOUT_MS + 1_000);
        long baseMs = System.currentTimeMillis() - 2L * MAX_RECORDS;
        Path log = Files.createDirectories(ChildApp.jar().getParent().resolve("orders-it")).resolve(prefix + "-app.log");
        Files.deleteIfExists(log);
        ChildApp app = ChildApp.builder(prefix).heap("448m").env(orders.childEnv(names, StreamsConfig.EXACTLY_ONCE_V2,
                        PAYMENT_TIMEOUT_MS)).env(logsEnv(prefix)).log(log)
                .args("run", "--bootstrap-servers", nodes.bootstrapServers(), "--only", "orders,logs", "--http-port", "0",
                        "--state-dir", tmp.resolve(prefix + "-state").toString()).start();
        try (ResultLatency latency = orders.latency(names);
             LogsTraffic logs = new LogsTraffic(nodes.bootstrapServers(), orders.registry, logsRaw(prefix), logsAggregated(prefix))) {
            app.awaitReady(PROGRESS_TIMEOUT);
            long pid = app.pid();
            logs.startSending(LOGS_RATE, LOGS_SERVICES);
            AtomicBoolean more = new AtomicBoolean(true);
            CompletableFuture<Long> producing = orders.produce(names.orders(), load, baseMs, PRODUCE_RATE, latency, more::get);
            await("load running and results coming before the disruption").atMost(PROGRESS_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100)).until(() -> latency.handed() >= BEFORE_RECORDS
                            && latency.results() >= BEFORE_RECORDS / 5 || !app.alive());
            assertThat(app.alive()).as(app.logTail()).isTrue();

            long t0 = System.nanoTime();
            String what = disruption.apply(names.orders(), app);
            String after = recovery.apply(app, latency);
            long t1 = System.nanoTime();
            long handedAtT1 = latency.handed();
            LOG.info("[{}] {}{}, {} s after the disruption started", prefix, what, after.isEmpty() ? "" : "; " + after,
                    (t1 - t0) / 1_000_000_000);
            // the load goes on a little after the disruption: the window the latency is taken over
            await("load after the disruption").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> latency.handed() >= handedAtT1 + PRODUCE_RATE * AFTER_MS / 1_000);
            more.set(false);
            producing.get(PROGRESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long loadEnd = System.nanoTime();
            long logsSent = logs.stopSending().values().stream().mapToLong(Long::longValue).sum();
            await("app commits all input").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> orders.lag(names) == 0 || !app.alive());
            await("every result, no open transaction").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofSeconds(3))
                    .until(() -> orders.verify(names, PAYMENT_TIMEOUT_MS),
                            r -> r.ok() && r.openTransactions() == 0 || !app.alive());
            VerificationReport r = orders.verify(names, PAYMENT_TIMEOUT_MS);
            LogsCheck lc = await("logs batches plus drops cover every event sent, conservation holds")
                    .atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> LogsCheck.of(app, logs), c -> c.covers(logsSent) && c.holds() || !app.alive());
            long windowEnd = t1 + TimeUnit.MILLISECONDS.toNanos(AFTER_MS);
            LOG.info("MEASURED [{}] {}: orders output paused {} ms at most; produce->result p99 {} ms over {} results "
                            + "sent in the disruption window ({} ms + {} ms); orders: {}; logs: {} sent, {} in batches, {} dropped",
                    prefix, what, latency.longestGapMs(t0, loadEnd), latency.p99Ms(t0, windowEnd), latency.count(t0, windowEnd),
                    (t1 - t0) / 1_000_000, AFTER_MS, r.summary(), logsSent, lc.batched(), lc.dropped());

            assertThat(app.alive()).as("the app carried on by itself:\n" + app.logTail()).isTrue();
            assertThat(app.pid()).as("same process, never restarted").isEqualTo(pid);
            assertThat(replacements(app)).as("stream threads replaced (a crash loop gives up at %d)",
                    OrdersExceptionHandler.MAX_REPLACEMENTS).isLessThan(OrdersExceptionHandler.MAX_REPLACEMENTS);
            assertThat(r.inputRecords()).as("input the verifier found vs acknowledged sends").isEqualTo(latency.ackedCount());
            assertThat(r.ok()).as(r.summary() + "\n" + String.join("\n", r.problems())).isTrue();
            assertThat(r.missing() + r.duplicated() + r.wrong() + r.openTransactions()).isZero();
            assertThat(lc.batched() + lc.dropped()).as("logs: every event in a batch or counted as dropped").isGreaterThanOrEqualTo(logsSent);
            assertThat(lc.holds()).as("logs conservation check").isTrue();
        } finally {
            app.close();
            // the app's Kafka client log (run sends it to the state dir) kept beside the app's log for post-mortems
            Path kafkaLog = tmp.resolve(prefix + "-state").resolve("logs").resolve("kafka.log");
            if (Files.exists(kafkaLog)) {
                Files.copy(kafkaLog, log.resolveSibling(prefix + "-kafka.log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String logsRaw(String prefix) {
        return prefix + "-logs-raw";
    }

    private static String logsAggregated(String prefix) {
        return prefix + "-logs-aggregated";
    }

    /** The logs side of the run, and a lag monitor quick enough to see a stall within the test. */
    private static Map<String, String> logsEnv(String prefix) {
        return Map.of("PIPELINE_TOPIC_LOGS_RAW", logsRaw(prefix), "PIPELINE_TOPIC_LOGS_AGGREGATED", logsAggregated(prefix),
                "PIPELINE_LOGS_APPLICATION_ID", prefix + "-logs", "PIPELINE_CONSERVATION_CHECK_INTERVAL_MS", "1000",
                "PIPELINE_LAG_POLL_INTERVAL_MS", "1000");
    }

    /** The body's reason when /health/ready answers 503, "" when it answers 200 (or not at all: no reason then). */
    private static String notReadyReason(ChildApp app) {
        try {
            HttpResponse<String> r = app.get("/health/ready");
            return r.statusCode() == 200 ? "" : JSON.readTree(r.body()).path("reason").asText("503 without a reason");
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static long replacements(ChildApp app) {
        return app.stderr().lines().filter(l -> l.contains("replacing the thread")).count();
    }

    /** The logs pipeline's account: events in batches (read committed), drops and conservation from /api/status. */
    private record LogsCheck(long batched, long dropped, boolean holds) {
        static LogsCheck of(ChildApp app, LogsTraffic logs) throws Exception {
            JsonNode s = JSON.readTree(app.get("/api/status").body()).path("pipelines").path("logs");
            long dropped = 0;
            for (JsonNode n : s.path("droppedByReason")) {
                dropped += n.asLong();
            }
            return new LogsCheck(logs.readOutput().total(), dropped, s.path("conservation").path("holds").asBoolean(false));
        }

        boolean covers(long sent) {
            return batched + dropped >= sent;
        }
    }

    /** The node leading most partitions of {@code topic}. */
    private static int leaderOfMost(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, nodes.bootstrapServers()))) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            Map<Integer, Long> byLeader = leaders(d.partitions());
            return byLeader.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    private static Map<Integer, Long> leaders(Collection<TopicPartitionInfo> partitions) {
        return partitions.stream().map(p -> p.leader().id()).collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
    }
}
