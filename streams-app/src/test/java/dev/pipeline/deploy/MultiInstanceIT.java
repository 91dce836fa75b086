package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.ChildApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out of the logs pipeline on a real broker: instances are child JVMs running the jar with
 * the same application id and their own state dirs, on input topics of 4 partitions. Kafka's
 * group protocol shares the partitions; these tests check that stopping, killing or adding an
 * instance moves work without losing any event, and measure how long the move takes.
 */
class MultiInstanceIT extends AppClusterTests {
    private static final Logger LOG = LoggerFactory.getLogger(MultiInstanceIT.class);
    private static final String APP_ID = "pipeline-logs";
    private static final int RATE = 300;
    private static final int SERVICES = 16;

    @Override
    String appId() {
        return APP_ID;
    }

    @Test
    void shouldShareThePartitionsAndHandOverWithNothingLostWhenOneStopsCleanly() throws Exception {
        try (LogsTraffic traffic = traffic()) {
            List<ChildApp> ab = cluster.startTwoSharing("share", "logs", tmp, () -> traffic.startSending(RATE, SERVICES));
            ChildApp a = ab.get(0);
            ChildApp b = ab.get(1);
            traffic.progress(APP_ID).awaitCommittedOnEveryPartition(Duration.ofSeconds(60));

            long t0 = System.nanoTime();
            assertThat(a.stop(Duration.ofMillis(AppCluster.SHUTDOWN_TIMEOUT_MS + 10_000L))).as("a drains\n%s", a.logTail()).isZero();
            long drainMs = millisSince(t0);
            // measured from the exit: the drain itself waits for a commit, which is not hand-over time
            long exited = System.nanoTime();
            Map<Integer, Long> atExit = traffic.progress(APP_ID).committed();
            long handoverMs = traffic.progress(APP_ID).awaitProgressOnEveryPartition(atExit, exited, Duration.ofSeconds(120));
            LOG.info("MEASURED clean stop of 1 of 2 instances: drain {} ms, exit -> every partition processing on the survivor {} ms",
                    drainMs, handoverMs);
            assertThat(handoverMs).as("the stopped instance left the group: the survivor did not wait for its session to expire")
                    .isLessThan(AppCluster.SESSION_TIMEOUT_MS);

            Map<String, Long> sent = traffic.stopSending();
            LogsTraffic.Output out = traffic.awaitEveryServiceAtLeast(sent, Duration.ofSeconds(120));
            assertThat(b.stop(Duration.ofSeconds(40))).isZero();
            out = traffic.readOutput();
            assertNothingLost(sent, out);
            assertThat(out.total()).as("a clean hand-over counts no event twice").isEqualTo(total(sent));
        }
    }

    @Test
    void shouldFailOverWithNothingLostWhenOneIsKilledUnderLoad() throws Exception {
        try (LogsTraffic traffic = traffic()) {
            List<ChildApp> ab = cluster.startTwoSharing("kill", "logs", tmp, () -> traffic.startSending(RATE, SERVICES));
            ChildApp a = ab.get(0);
            ChildApp b = ab.get(1);
            traffic.progress(APP_ID).awaitCommittedOnEveryPartition(Duration.ofSeconds(60));

            Map<Integer, Long> atKill = traffic.progress(APP_ID).committed();
            long t0 = System.nanoTime();
            a.kill9();
            long failoverMs = traffic.progress(APP_ID).awaitProgressOnEveryPartition(atKill, t0, Duration.ofSeconds(120));
            LOG.info("MEASURED SIGKILL of 1 of 2 instances (session.timeout.ms={}, standbys=1): kill -> every partition processing on the survivor {} ms",
                    AppCluster.SESSION_TIMEOUT_MS, failoverMs);

            Map<String, Long> sent = traffic.stopSending();
            traffic.awaitEveryServiceAtLeast(sent, Duration.ofSeconds(120));
            assertThat(b.stop(Duration.ofSeconds(40))).isZero();
            LogsTraffic.Output out = traffic.readOutput();
            assertNothingLost(sent, out);
            LOG.info("after SIGKILL: {} events sent, {} counted (at_least_once: {} counted twice)", total(sent), out.total(),
                    out.total() - total(sent));
        }
    }

    @Test
    void shouldRebalanceWithNothingLostWhenAThirdInstanceJoins() throws Exception {
        try (LogsTraffic traffic = traffic()) {
            List<ChildApp> ab = cluster.startTwoSharing("join", "logs", tmp, () -> traffic.startSending(RATE, SERVICES));
            ChildApp a = ab.get(0);
            ChildApp b = ab.get(1);
            traffic.progress(APP_ID).awaitCommittedOnEveryPartition(Duration.ofSeconds(60));

            long t0 = System.nanoTime();
            ChildApp c = cluster.start("join-c", "logs", tmp.resolve("c"), Map.of());
            c.awaitReady(AppCluster.READY_TIMEOUT);
            AppCluster.awaitProcessing(c, "logs");
            LOG.info("MEASURED third instance: start -> processing its share {} ms", millisSince(t0));
            AppCluster.awaitTasksSpread("logs", 4, a, b, c);

            Map<String, Long> sent = traffic.stopSending();
            traffic.awaitEveryServiceAtLeast(sent, Duration.ofSeconds(120));
            for (ChildApp app : new ChildApp[] {a, b, c}) {
                assertThat(app.stop(Duration.ofMillis(AppCluster.SHUTDOWN_TIMEOUT_MS + 10_000L))).as("%s drains", app.name()).isZero();
            }
            LogsTraffic.Output out = traffic.readOutput();
            assertNothingLost(sent, out);
            LOG.info("after a join: {} events sent, {} counted", total(sent), out.total());
            assertThat(out.total()).as("tasks moved between running instances: the new owner goes on with the buffer, "
                    + "no event counted twice").isEqualTo(total(sent));
        }
    }

    private LogsTraffic traffic() {
        return new LogsTraffic(cluster.bootstrap(), cluster.registry(), topics.logsRaw(), topics.logsAggregated());
    }


    private static void assertNothingLost(Map<String, Long> sent, LogsTraffic.Output out) {
        assertThat(sent).hasSize(SERVICES);
        sent.forEach((service, n) -> assertThat(out.byService().getOrDefault(service, 0L))
                .as("events of %s counted in the output (sent %d)", service, n).isGreaterThanOrEqualTo(n));
    }

    private static long total(Map<String, Long> sent) {
        return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
