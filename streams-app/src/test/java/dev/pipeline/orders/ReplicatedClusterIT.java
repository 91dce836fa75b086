package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.ChildApp;
import dev.pipeline.kafka.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The orders pipeline (the built jar's {@code run --only orders}, exactly_once_v2) on a local
 * 3-node KRaft cluster ({@link LocalCluster}: replication factor 3, min ISR 2 for every topic,
 * internal ones included) under load, through Apache Kafka's {@code streams_broker_bounce_test}
 * disruptions: a hard bounce (the broker leading most input partitions SIGKILLed, left down) and a
 * rolling restart (each node stopped cleanly and started again in turn). The app must carry on by
 * itself: same process, nothing missing, nothing duplicated, no open transaction. Each test logs
 * the longest pause of the output while the disruption ran.
 *
 * <p>The hard-bounce test kills a node for good, so it runs last (the rolling restart needs all three).
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicatedClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedClusterIT.class);
    private static final int RECORDS = 60_000;
    private static final int PRODUCE_RATE = 4_000;
    private static final long PAYMENT_TIMEOUT_MS = 5_000;
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
    @Order(2)
    void shouldLoseAndDuplicateNothingWhenTheBrokerLeadingMostInputIsKilledForGood() throws Exception {
        underLoad("bounce", topic -> {
            int victim = leaderOfMost(topic);
            nodes.kill(victim);
            return "SIGKILL of node " + victim + " (leader of most input partitions), left down";
        });
    }

    @Test
    @Order(1)
    void shouldLoseAndDuplicateNothingThroughARollingRestart() throws Exception {
        underLoad("rolling", topic -> {
            for (LocalCluster.Node n : nodes.nodes()) {
                nodes.stop(n.id());
                nodes.start(n.id());
                nodes.awaitBrokers(3, Duration.ofSeconds(60));
                // as an operator does: the next node goes only once the restarted one is back in every ISR
                nodes.awaitFullyReplicated(Duration.ofSeconds(90));
            }
            return "rolling restart (SIGTERM, start, wait until fully replicated) of nodes 1-3";
        });
    }

    /** What a test does to the cluster; returns a description for the log. */
    @FunctionalInterface
    private interface Disruption {
        String apply(String inputTopic) throws Exception;
    }

    /**
     * Runs the app under load, applies {@code disruption} a third of the way through, and checks
     * that the same app process ends with every result exactly once.
     */
    private void underLoad(String prefix, Disruption disruption) throws Exception {
        OrdersCluster.Names names = new OrdersCluster.Names(prefix);
        orders.createTopics(names);
        List<OrderLoad.Send> load = OrderLoad.generate(prefix.hashCode(), RECORDS, 0.05, 300, 1, PAYMENT_TIMEOUT_MS + 1_000);
        long baseMs = System.currentTimeMillis() - 2L * RECORDS;
        Path log = Files.createDirectories(ChildApp.jar().getParent().resolve("orders-it")).resolve(prefix + "-app.log");
        Files.deleteIfExists(log);
        ChildApp app = ChildApp.builder(prefix).heap("384m")
                .env(orders.childEnv(names, StreamsConfig.EXACTLY_ONCE_V2, PAYMENT_TIMEOUT_MS)).log(log)
                .args("run", "--bootstrap-servers", nodes.bootstrapServers(), "--only", "orders", "--http-port", "0",
                        "--state-dir", tmp.resolve(prefix + "-state").toString()).start();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try {
            long pid = app.pid();
            CompletableFuture<Long> producing = orders.produce(names.orders(), load, baseMs, PRODUCE_RATE);
            long third = RECORDS * 6L / 10 / 3;
            await("a third of the output before the disruption").atMost(PROGRESS_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> orders.endOffsets(names.processed()) >= third || !app.alive());
            assertThat(app.alive()).as(app.logTail()).isTrue();

            Stall stall = new Stall();
            var sampling = sampler.scheduleAtFixedRate(() -> stall.sample(() -> orders.endOffsets(names.processed())), 0,
                    100, TimeUnit.MILLISECONDS);
            String what = disruption.apply(names.orders());
            LOG.info("[{}] {} at {}+ results", prefix, what, third);

            producing.get(PROGRESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            sampling.cancel(false); // past the input's end the output stops on purpose
            await("app commits all input").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> orders.lag(names) == 0 || !app.alive());
            await("every result, no open transaction").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofSeconds(3))
                    .until(() -> orders.verify(names, PAYMENT_TIMEOUT_MS),
                            r -> r.ok() && r.openTransactions() == 0 || !app.alive());
            VerificationReport r = orders.verify(names, PAYMENT_TIMEOUT_MS);
            LOG.info("[{}] {}: longest output stall {} ms; {}", prefix, what, stall.longestMs(), r.summary());

            assertThat(app.alive()).as("the app carried on by itself:\n" + app.logTail()).isTrue();
            assertThat(app.pid()).as("same process, never restarted").isEqualTo(pid);
            assertThat(r.inputRecords()).isEqualTo(RECORDS);
            assertThat(r.ok()).as(r.summary() + "\n" + String.join("\n", r.problems())).isTrue();
            assertThat(r.missing() + r.duplicated() + r.wrong() + r.openTransactions()).isZero();
        } finally {
            sampler.shutdownNow();
            app.close();
            // the app's Kafka client log (run sends it to the state dir) kept beside the app's log for post-mortems
            Path kafkaLog = tmp.resolve(prefix + "-state").resolve("logs").resolve("kafka.log");
            if (Files.exists(kafkaLog)) {
                Files.copy(kafkaLog, log.resolveSibling(prefix + "-kafka.log"), StandardCopyOption.REPLACE_EXISTING);
            }
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

    /** Longest time the output end offset did not move, sampled every 100 ms (the pause a user would see). */
    private static final class Stall {
        private final AtomicLong last = new AtomicLong(-1);
        private final AtomicLong since = new AtomicLong(System.nanoTime());
        private final AtomicLong longest = new AtomicLong();

        interface Reading {
            long read() throws Exception;
        }

        void sample(Reading offsets) {
            try {
                long now = System.nanoTime();
                long v = offsets.read();
                if (v != last.getAndSet(v)) {
                    since.set(now);
                } else {
                    longest.accumulateAndGet((now - since.get()) / 1_000_000, Math::max);
                }
            } catch (Exception e) {
                // the admin call itself fails over; a missed sample only shortens nothing
            }
        }

        long longestMs() {
            return longest.get();
        }
    }
}
