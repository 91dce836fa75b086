package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.schema.FlushReason;
import dev.pipeline.testing.ChildApp;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful drain of the real jar in a child JVM: SIGTERM under load stops consuming, flushes what
 * the logs buffers hold (reason SHUTDOWN), commits, closes and exits 0 within the bound; a second
 * signal ends it at once with 130.
 */
class DrainIT extends AppClusterTests {
    private static final Logger LOG = LoggerFactory.getLogger(DrainIT.class);
    private static final String APP_ID = "pipeline-logs";
    private static final Pattern DRAINED = Pattern.compile("Drained and stopped in (\\d+) ms");
    private static final int RATE = 400;
    private static final int SERVICES = 16;

    @Override
    String appId() {
        return APP_ID;
    }

    @Test
    void shouldDrainOnSigtermUnderLoadAndExitZeroWithEveryConsumedEventInTheOutput() throws Exception {
        try (LogsTraffic traffic = new LogsTraffic(cluster.bootstrap(), cluster.registry(), topics.logsRaw(), topics.logsAggregated())) {
            ChildApp app = cluster.startReady("drain", "logs", tmp.resolve("a"));
            traffic.startSending(RATE, SERVICES);
            traffic.awaitOutputAtLeast(2 * RATE, Duration.ofSeconds(60));

            long t0 = System.nanoTime();
            app.sigterm();
            int exit = app.awaitExit(Duration.ofMillis(AppCluster.SHUTDOWN_TIMEOUT_MS + 10_000L));
            long drainMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(exit).as("exit code after SIGTERM\n%s", app.logTail()).isZero();
            Matcher m = DRAINED.matcher(app.stderr());
            assertThat(m.find()).as("the app reports its drain\n%s", app.logTail()).isTrue();
            LOG.info("MEASURED drain under {} events/s: SIGTERM -> exit {} ms (app's own close: {} ms)", RATE, drainMs, m.group(1));
            assertThat(drainMs).isLessThan(AppCluster.SHUTDOWN_TIMEOUT_MS + 5_000L);

            // Everything the app consumed and committed is in the output: nothing left behind in a
            // buffer, nothing lost, nothing counted twice (it stopped cleanly).
            long committed = traffic.progress(APP_ID).committedTotal();
            LogsTraffic.Output atExit = traffic.readOutput();
            assertThat(committed).isPositive();
            assertThat(atExit.total()).as("events in output vs events committed at exit; %s", atExit).isEqualTo(committed);
            assertThat(atExit.events(FlushReason.SHUTDOWN)).as("buffered events flushed by the drain; %s", atExit).isPositive();

            // What was sent after the stop is still in the topic: the next instance picks it up.
            Map<String, Long> sent = traffic.stopSending();
            long sentTotal = sent.values().stream().mapToLong(Long::longValue).sum();
            ChildApp next = cluster.startReady("drain-next", "logs", tmp.resolve("a"));
            traffic.awaitEveryServiceAtLeast(sent, Duration.ofSeconds(90));
            assertThat(next.stop(Duration.ofSeconds(40))).isZero();
            LogsTraffic.Output end = traffic.readOutput();
            assertThat(end.byService()).as("every event sent is counted exactly once").isEqualTo(sent);
        }
    }

    @Test
    void shouldDrainWithReasonShutdownForEveryBufferedEvent() throws Exception {
        try (LogsTraffic traffic = new LogsTraffic(cluster.bootstrap(), cluster.registry(), topics.logsRaw(), topics.logsAggregated())) {
            // long max age and big batches: nothing leaves the buffer except by the drain
            ChildApp app = cluster.start("drain-buffered", "logs", tmp.resolve("b"), Map.of(
                    "PIPELINE_LOGS_FLUSH_MAX_AGE_MS", "600000", "PIPELINE_LOGS_BATCH_MAX_RECORDS", "100000"))
                    .awaitReady(AppCluster.READY_TIMEOUT);
            traffic.startSending(RATE, SERVICES);
            await("events consumed").atMost(Duration.ofSeconds(60)).until(() ->
                    traffic.progress(APP_ID).committedTotal() >= RATE);
            Map<String, Long> sent = traffic.stopSending();
            long sentTotal = sent.values().stream().mapToLong(Long::longValue).sum();
            await("all events consumed").atMost(Duration.ofSeconds(60)).until(() ->
                    traffic.progress(APP_ID).committedTotal() >= sentTotal);
            assertThat(traffic.readOutput().total()).as("nothing flushed before the drain").isZero();

            assertThat(app.stop(Duration.ofMillis(AppCluster.SHUTDOWN_TIMEOUT_MS + 10_000L))).isZero();

            LogsTraffic.Output out = traffic.readOutput();
            assertThat(out.byService()).as("every buffered event came out in the drain").isEqualTo(sent);
            assertThat(out.events(FlushReason.SHUTDOWN)).isEqualTo(sentTotal);

            // ...and left the buffer for good: a restart on the same state (a pod restart) emits none again
            ChildApp restarted = cluster.start("drain-buffered-restart", "logs", tmp.resolve("b"), Map.of(
                    "PIPELINE_LOGS_FLUSH_MAX_AGE_MS", "0")).awaitReady(AppCluster.READY_TIMEOUT);
            assertThat(restarted.stop(Duration.ofSeconds(40))).isZero();
            assertThat(traffic.readOutput().byService()).as("after a restart on the drained state").isEqualTo(sent);
        }
    }

    @Test
    void shouldStopAtOnceWithExitCode130OnASecondSignal() throws Exception {
        try (LogsTraffic traffic = new LogsTraffic(cluster.bootstrap(), cluster.registry(), topics.logsRaw(), topics.logsAggregated())) {
            ChildApp app = cluster.startReady("drain-twice", "logs", tmp.resolve("c"));
            traffic.startSending(RATE, SERVICES);
            traffic.awaitOutputAtLeast(RATE, Duration.ofSeconds(60));
            app.sigterm();
            await("first signal handled").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> app.stderr().contains("draining"));
            app.sigterm();
            assertThat(app.awaitExit(Duration.ofSeconds(10))).as("exit code\n%s", app.logTail()).isEqualTo(130);
            assertThat(app.stderr()).contains("Second signal: stopping without draining");
            traffic.stopSending();
        }
    }
}
