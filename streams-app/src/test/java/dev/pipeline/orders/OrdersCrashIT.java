package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.ChildApp;
import dev.pipeline.testing.ChildAppsExtension;
import dev.pipeline.testing.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's own EOS proof, on our pipeline: the orders app runs as the built jar's
 * {@code run --only orders} in a child JVM against a real broker while the test produces 200,000
 * order events (10% re-sent with the same eventId) over ~60,000 orders; the child is SIGKILLed at
 * random points of its progress and restarted on the same state dir. Afterwards the independent
 * verifier must find nothing missing, duplicated, wrong or left in an open transaction — and the
 * same run under at_least_once must make it report duplicates, so we know it can fail.
 *
 * <p>Under at_least_once the verifier usually reports missing results too: the dedup and order
 * stores' changelog can be ahead of the results that were actually written when the process died,
 * so the replayed event is taken for a duplicate and its result never comes. That is the other
 * half of why the pipeline runs exactly_once_v2, not a flaw of the verifier.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class OrdersCrashIT {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersCrashIT.class);
    private static final int RECORDS = 200_000;
    private static final double DUPLICATES = 0.10;
    private static final int ACTIVE_ORDERS = 300;
    private static final long PAYMENT_TIMEOUT_MS = 5_000;
    private static final int PRODUCE_RATE = 12_000;
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(150);

    /** The registry and clients, shared by the class's tests; the children, killed after each test. */
    @RegisterExtension
    static final ChildAppsExtension<OrdersCluster> APPS =
            new ChildAppsExtension<>(broker -> new OrdersCluster(broker.bootstrapServers()));

    @TempDir
    Path tmp;


    @Test
    void shouldApplyEveryEventExactlyOnceAcrossRepeatedKill9() throws Exception {
        OrdersCluster.Names names = new OrdersCluster.Names("eos");
        Run run = crashRun(names, StreamsConfig.EXACTLY_ONCE_V2, 4, 42);

        assertThat(run.kills()).isGreaterThanOrEqualTo(3);
        assertThat(run.produced()).isEqualTo(RECORDS);
        VerificationReport r = run.report();
        assertThat(r.inputRecords()).isEqualTo(RECORDS);
        assertThat(r.ok()).as(r.summary() + "\n" + String.join("\n", r.problems())).isTrue();
        assertThat(r.missing() + r.duplicated() + r.wrong() + r.openTransactions()).isZero();
        assertThat(r.expectedResults()).as("the load applies most events").isGreaterThan(RECORDS / 2);

        // the same verdict from the shipped command, exit code included
        Path log = tmp.resolve("verify-eos.log");
        int exit = ChildApp.run(ChildApp.builder("verify-eos").heap("256m").log(log)
                .env(cluster().childEnv(names, StreamsConfig.EXACTLY_ONCE_V2, PAYMENT_TIMEOUT_MS))
                .args("verify", "orders", "--bootstrap-servers", cluster().bootstrap), Duration.ofSeconds(120));
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("verify orders: OK: missing=0 duplicated=0 wrong=0 open_transactions=0");
    }

    @Test
    void atLeastOnceControlShouldMakeTheVerifierReportDuplicates() throws Exception {
        Run run = null;
        int[] killsPerAttempt = {3, 6};
        for (int attempt = 0; attempt < killsPerAttempt.length; attempt++) {
            OrdersCluster.Names names = new OrdersCluster.Names("alos" + attempt);
            run = crashRun(names, StreamsConfig.AT_LEAST_ONCE, killsPerAttempt[attempt], 7 + attempt);
            LOG.info("at_least_once control, attempt {} with {} kills: {}", attempt + 1, run.kills(), run.report().summary());
            if (run.report().duplicated() > 0) {
                Path log = tmp.resolve("verify-alos.log");
                int exit = ChildApp.run(ChildApp.builder("verify-alos").heap("256m").log(log)
                        .env(cluster().childEnv(names, StreamsConfig.AT_LEAST_ONCE, PAYMENT_TIMEOUT_MS))
                        .args("verify", "orders", "--bootstrap-servers", cluster().bootstrap), Duration.ofSeconds(120));
                assertThat(exit).as("verify orders must fail on duplicates").isEqualTo(1);
                break;
            }
            LOG.warn("at_least_once control got no duplicates with {} kills: re-running with more kills", run.kills());
        }
        assertThat(run.report().duplicated()).as(run.report().summary()).isPositive();
        assertThat(run.report().ok()).isFalse();
    }

    record Run(VerificationReport report, int kills, long produced, long seconds) {}

    private Run crashRun(OrdersCluster.Names names, String guarantee, int kills, long seed) throws Exception {
        long t0 = System.nanoTime();
        cluster().createTopics(names);
        List<OrderLoad.Send> load = OrderLoad.generate(seed, RECORDS, DUPLICATES, ACTIVE_ORDERS, 1, PAYMENT_TIMEOUT_MS + 1_000);
        long baseMs = System.currentTimeMillis() - 2L * RECORDS; // record times in the recent past
        Map<String, String> env = cluster().childEnv(names, guarantee, PAYMENT_TIMEOUT_MS);
        Path stateDir = tmp.resolve(names.prefix() + "-state");
        Path log = logDir().resolve(names.prefix() + "-app.log");
        Files.deleteIfExists(log);
        AtomicReference<ChildApp> child = new AtomicReference<>(startApp(env, stateDir, log));

        CompletableFuture<Long> producing = cluster().produce(names.orders(), load, baseMs, PRODUCE_RATE);
        Random rnd = new Random(seed);
        long expectedOutputs = RECORDS * 6L / 10;
        for (int k = 1; k <= kills; k++) {
            // a random point in the k-th slice of the run's progress
            long target = (long) (expectedOutputs * (k - 1 + 0.2 + 0.6 * rnd.nextDouble()) / kills);
            long floor = cluster().endOffsets(names.processed()) + 500;
            long goal = Math.max(target, floor);
            await("output progress to " + goal + " before kill " + k).atMost(PROGRESS_TIMEOUT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster().endOffsets(names.processed()) >= goal || !child.get().alive());
            assertThat(child.get().alive()).as("app died on its own:\n" + child.get().logTail()).isTrue();
            child.get().kill9();
            long killedAt = cluster().endOffsets(names.processed());
            LOG.info("[{}] kill -9 #{} at {} output records, {} s into the run (pid {})", names.prefix(), k, killedAt,
                    (System.nanoTime() - t0) / 1_000_000_000, child.get().pid());
            Files.writeString(log, "=== test: kill -9 #" + k + " ===\n", java.nio.file.StandardOpenOption.APPEND);
            child.set(startApp(env, stateDir, log));
        }
        long produceMs = producing.get(PROGRESS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        LOG.info("[{}] produced {} records in {} ms", names.prefix(), load.size(), produceMs);

        // caught up: every input committed (cheap to poll), then nothing missing (the last expiries
        // come from the punctuator) and no transaction left open
        await("app commits all input").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> cluster().lag(names) == 0 || !child.get().alive());
        LOG.info("[{}] all input committed after {} s", names.prefix(), (System.nanoTime() - t0) / 1_000_000_000);
        // then the last results (expiries come from the punctuator): done when nothing is missing, or
        // when the output stops changing (at_least_once can lose results for good, see the control)
        AtomicReference<Long> lastOutputs = new AtomicReference<>(-1L);
        await("app emits the last results").atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofSeconds(3))
                .until(() -> cluster().verify(names, PAYMENT_TIMEOUT_MS), r -> {
                    boolean settled = r.outputRecords() == lastOutputs.getAndSet(r.outputRecords());
                    return r.openTransactions() == 0 && (r.missing() == 0 || settled) || !child.get().alive();
                });
        int exit;
        try {
            exit = child.get().stop(Duration.ofSeconds(45));
        } catch (AssertionError overran) {
            // killed after the bound; only the verdict below decides the test
            exit = -1;
        }
        LOG.info("[{}] stopped with exit code {}", names.prefix(), exit);
        VerificationReport report = cluster().verify(names, PAYMENT_TIMEOUT_MS);
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;
        LOG.info("[{}] {} kills, {} s: {}\n{}", names.prefix(), kills, seconds, report.summary(),
                String.join("\n", report.problems()));
        return new Run(report, kills, load.size(), seconds);
    }

    /** Child logs stay in target/orders-it for post-mortems (the temp dir is removed). */
    private static Path logDir() throws java.io.IOException {
        return Files.createDirectories(ChildApp.jar().getParent().resolve("orders-it"));
    }

    private ChildApp startApp(Map<String, String> env, Path stateDir, Path log) {
        return APPS.start(ChildApp.builder("orders-crash").heap("384m").env(env).log(log).args("run", "--bootstrap-servers",
                cluster().bootstrap, "--only", "orders", "--http-port", "0", "--state-dir", stateDir.toString()));
    }

    private static OrdersCluster cluster() {
        return APPS.shared();
    }
}
