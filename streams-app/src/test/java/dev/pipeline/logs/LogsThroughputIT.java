package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the logs topology (Kafka output only) on the in-JVM broker: N events across 50
 * services are produced first, then three fresh application ids each read them all; the rate is
 * events taken in per second from the first to the last, median of the three. Opt-in (a
 * measurement, not a check): {@code -Dlogs.bench=true}, {@code -Dlogs.bench.events=N}.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
@EnabledIfSystemProperty(named = "logs.bench", matches = "true")
class LogsThroughputIT {
    @TempDir
    Path dir;

    @Test
    void measureTopologyThroughput(TestBroker broker) throws Exception {
        int events = Integer.getInteger("logs.bench.events", 300_000);
        List<Double> rates = new ArrayList<>();
        try (LogsKafka kafka = new LogsKafka(broker.bootstrapServers(), LogsKafka.prefixed("bench"))) {
            kafka.produce(0, events, 50);
            for (int run = 1; run <= 3; run++) {
                try (InProcessLogs logs = new InProcessLogs(kafka, dir.resolve("run-" + run),
                        Map.of("logs.application.id", "logs-bench-" + run))) {
                    logs.start();
                    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(1)).until(() -> logs.in() > 0);
                    long t0 = System.nanoTime();
                    long first = logs.in();
                    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(5))
                            .until(() -> logs.in() == events);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double rate = (events - first) / seconds;
                    rates.add(rate);
                    System.out.printf("[LogsThroughputIT] run %d: %d events in %.2f s = %.0f events/s%n", run,
                            events - first, seconds, rate);
                }
            }
        }
        List<Double> sorted = rates.stream().sorted().toList();
        System.out.printf("[LogsThroughputIT] median of 3: %.0f events/s (runs %s)%n", sorted.get(1), rates);
        assertThat(sorted.get(1)).isPositive();
    }
}
