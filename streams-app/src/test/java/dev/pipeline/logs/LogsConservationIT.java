package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100k events across 50 services through the app in a child JVM, restarted twice mid-stream:
 * once with a clean SIGTERM drain, once with SIGKILL. Every event produced must come out, in a
 * batch's count or as a counted drop in the DLQ. Under at-least-once the SIGKILL may make events
 * count twice (records consumed since the last commit are processed again): the excess is
 * reported, and it must be zero across the clean restart.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class LogsConservationIT {
    private static final int SERVICES = 50;
    private static final int TOTAL = 100_000;
    private static final Duration START = Duration.ofSeconds(90);
    private static final Map<String, Object> APP_SETTINGS = Map.of(
            "logs.flush.interval.ms", 500, "logs.flush.max.age.ms", 1_000,
            "logs.commit.interval.ms", 1_000, "session.timeout.ms", 6_000, "heartbeat.interval.ms", 1_500);

    @TempDir
    Path dir;

    @Test
    void shouldAccountForEveryEventAcrossCleanRestartAndSigkill(TestBroker broker) throws Exception {
        try (LogsKafka kafka = new LogsKafka(broker.bootstrapServers()); LogsKafka.Tally tally = kafka.tally()) {
            long consumedByFirst;
            long afterClean;
            try (AppProcess first = start(kafka, "first")) {
                kafka.produce(0, 40_000, SERVICES);
                awaitAtLeast(tally, 20_000);
                assertThat(first.stop(Duration.ofSeconds(60))).as("clean drain exits 0").isZero();
            }
            // the drain flushed everything buffered (SHUTDOWN) and committed: what was consumed came out, once
            awaitStable(tally);
            afterClean = tally.poll();
            consumedByFirst = kafka.committedInput("pipeline-logs");
            kafka.produce(40_000, 70_000, SERVICES);

            try (AppProcess second = start(kafka, "second")) {
                awaitAtLeast(tally, afterClean + 10_000);
                second.kill();
            }
            kafka.produce(70_000, TOTAL, SERVICES);

            try (AppProcess third = start(kafka, "third")) {
                // duplicates make the output reach TOTAL early: wait until every input record is consumed
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                        .until(() -> kafka.committedInput("pipeline-logs") == TOTAL);
                String status = third.get("/api/status").body();
                System.out.println("[LogsConservationIT] status after catching up: " + status);
                assertThat(third.stop(Duration.ofSeconds(60))).isZero();
            }
            awaitStable(tally);
            long accounted = tally.poll();
            long duplicates = accounted - TOTAL;
            System.out.printf("[LogsConservationIT] produced=%d batches=%d eventsInBatches=%d dlq=%d %s "
                    + "duplicates(at-least-once, after SIGKILL)=%d; first run: consumed=%d accounted=%d%n", TOTAL,
                    tally.batchCount, tally.eventsInBatches, tally.dlqRecords, tally.dlqByReason, duplicates,
                    consumedByFirst, afterClean);

            System.out.println("[LogsConservationIT] per service: " + tally.countByService);
            assertThat(tally.servicesShortOf(TOTAL, SERVICES)).as("services with events missing").isEmpty();
            assertThat(accounted).as("nothing lost").isGreaterThanOrEqualTo(TOTAL);
            assertThat(afterClean).as("a clean drain flushes and commits exactly what was consumed")
                    .isEqualTo(consumedByFirst);
            assertThat(kafka.committedInput("pipeline-logs")).isEqualTo(TOTAL);
            assertThat(tally.countByService).hasSize(SERVICES);
        }
    }

    private AppProcess start(LogsKafka kafka, String name) {
        return AppProcess.start(dir, "conservation-" + name, kafka.bootstrap, kafka.registryUrl, APP_SETTINGS).awaitReady(START);
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
