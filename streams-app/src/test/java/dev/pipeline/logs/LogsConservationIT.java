package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.ChildApp;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100k events across 50 services through the app in a child JVM, restarted twice mid-stream:
 * once with a clean SIGTERM drain, once with SIGKILL (and 30k the same way under exactly_once_v2). Every event produced must come out, in a
 * batch's count or as a counted drop in the DLQ. Under at-least-once the SIGKILL may make events
 * count twice (records consumed since the last commit are processed again): the excess is
 * reported, and it must be zero across the clean restart.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class LogsConservationIT {
    private static final int SERVICES = 50;
    private static final Duration START = Duration.ofSeconds(90);
    private static final Map<String, Object> APP_SETTINGS = Map.of(
            "logs.flush.interval.ms", 500, "logs.flush.max.age.ms", 1_000,
            "logs.commit.interval.ms", 1_000, "session.timeout.ms", 6_000, "heartbeat.interval.ms", 1_500);

    @TempDir
    Path dir;

    @Test
    void shouldAccountForEveryEventAcrossCleanRestartAndSigkill(TestBroker broker) throws Exception {
        long duplicates = run(broker, "alos", "at_least_once", 100_000);
        assertThat(duplicates).as("at-least-once: counted twice after the SIGKILL, never lost").isNotNegative();
    }

    @Test
    void shouldAccountForEveryEventExactlyOnceAcrossSigkillUnderExactlyOnce(TestBroker broker) throws Exception {
        long duplicates = run(broker, "eos", "exactly_once_v2", 30_000);
        assertThat(duplicates).as("exactly_once_v2: no duplicates even after a SIGKILL").isZero();
    }

    /** Produce, drain cleanly, restart, SIGKILL, restart; returns the events counted more than once. */
    private long run(TestBroker broker, String name, String guarantee, int total) throws Exception {
        String group = "pipeline-logs-" + name;
        Map<String, Object> settings = new HashMap<>(APP_SETTINGS);
        settings.putAll(LogsKafka.topicConfig(LogsKafka.prefixed(name)));
        settings.put("logs.application.id", group);
        settings.put("logs.processing.guarantee", guarantee);
        try (LogsKafka kafka = new LogsKafka(broker.bootstrapServers(), LogsKafka.prefixed(name));
                LogsKafka.Tally tally = kafka.tally()) {
            int firstBatch = total * 2 / 5;
            int secondBatch = total * 7 / 10;
            try (ChildApp first = start(kafka, name + "-first", settings)) {
                kafka.produce(0, firstBatch, SERVICES);
                awaitAtLeast(tally, firstBatch / 2);
                assertThat(first.stop(Duration.ofSeconds(60))).as("clean drain exits 0").isZero();
            }
            // the drain flushed everything buffered (SHUTDOWN) and committed: what was consumed came out, once
            awaitStable(tally);
            long afterClean = tally.poll();
            long consumedByFirst = kafka.committedInput(group);
            kafka.produce(firstBatch, secondBatch, SERVICES);

            try (ChildApp second = start(kafka, name + "-second", settings)) {
                awaitAtLeast(tally, afterClean + total / 10);
                second.kill9();
            }
            kafka.produce(secondBatch, total, SERVICES);

            try (ChildApp third = start(kafka, name + "-third", settings)) {
                // duplicates make the output reach the total early: wait until every input record is consumed
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                        .until(() -> kafka.committedInput(group) == total);
                System.out.println("[LogsConservationIT] " + name + " status after catching up: "
                        + third.get("/api/status").body().replaceAll("\\s+", " "));
                assertThat(third.stop(Duration.ofSeconds(60))).isZero();
            }
            awaitStable(tally);
            long accounted = tally.poll();
            System.out.printf("[LogsConservationIT] %s (%s): produced=%d batches=%d eventsInBatches=%d dlq=%d %s "
                    + "duplicates=%d; first run (clean drain): consumed=%d accounted=%d%n", name, guarantee, total,
                    tally.batchCount, tally.eventsInBatches, tally.dlqRecords, tally.dlqByReason, accounted - total,
                    consumedByFirst, afterClean);

            assertThat(tally.servicesShortOf(total, SERVICES)).as("services with events missing").isEmpty();
            assertThat(accounted).as("nothing lost").isGreaterThanOrEqualTo(total);
            assertThat(afterClean).as("a clean drain flushes and commits exactly what was consumed")
                    .isEqualTo(consumedByFirst);
            assertThat(tally.countByService).hasSize(SERVICES);
            return accounted - total;
        }
    }

    private ChildApp start(LogsKafka kafka, String name, Map<String, Object> settings) {
        Path state = dir.resolve(name.substring(0, name.indexOf('-'))).resolve("state");
        ChildApp.Builder app = ChildApp.builder("conservation-" + name)
                .env("PIPELINE_DEMO_RATE", "0").env("PIPELINE_SCHEMA_REGISTRY_URL", kafka.registryUrl)
                .args("run", "--bootstrap-servers", kafka.bootstrap, "--only", "logs", "--http-port", "0",
                        "--state-dir", state.toString());
        settings.forEach((k, v) -> app.args("--set", k + "=" + v));
        return app.start().awaitReady(START);
    }

    private static void awaitAtLeast(LogsKafka.Tally tally, long n) {
        await().atMost(Duration.ofSeconds(180)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> tally.poll() >= n);
    }

    /** Until two reads 2 s apart see nothing new. */
    private static void awaitStable(LogsKafka.Tally tally) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            long now = tally.poll();
            boolean stable = now == last[0];
            last[0] = now;
            return stable;
        });
    }
}
