package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DropReason;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backpressure chain on a real broker with a local HTTP sink that answers slowly, then
 * fails, then recovers: a slow sink fills the in-flight window, then the buffer, then the
 * overflow policy decides — and the metrics show it.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class LogsBackpressureIT {
    private static final int SERVICES = 10;

    @TempDir
    Path dir;

    private static Map<String, Object> settings(String app, String policy, int bufferRecords, FakeHttpSink sink) {
        Map<String, Object> m = new HashMap<>();
        m.put("logs.application.id", app);
        m.put("logs.buffer.overflow.policy", policy);
        m.put("logs.buffer.max.records", bufferRecords);
        m.put("logs.batch.max.records", 50);
        m.put("logs.flush.interval.ms", 100);
        m.put("logs.flush.max.age.ms", 500);
        m.put("logs.block.max.ms", 20_000);
        m.put("logs.commit.interval.ms", 1_000);
        m.put("logs.sink.http.url", sink.url());
        m.put("logs.sink.max.in.flight", 2);
        m.put("external.call.max.concurrency", 4);
        m.put("external.call.timeout.ms", 3_000);
        m.put("external.retry.max.attempts", 2);
        m.put("external.retry.initial.backoff.ms", 50);
        m.put("external.retry.max.elapsed.ms", 10_000);
        m.put("external.circuit.window.calls", 10);
        m.put("external.circuit.minimum.calls", 4);
        m.put("external.circuit.open.wait.ms", 2_000);
        m.put("external.circuit.half.open.calls", 2);
        m.put("topic.partitions", LogsKafka.PARTITIONS);
        return m;
    }

    @Test
    void shouldHoldRecordsBackUnderBlockThenOpenAndCloseTheBreaker(TestBroker broker) throws Exception {
        try (FakeHttpSink sink = new FakeHttpSink().mode(FakeHttpSink.Mode.SLOW).slowMs(300);
                LogsKafka kafka = new LogsKafka(broker.bootstrapServers(), LogsKafka.prefixed("block"));
                InProcessLogs logs = new InProcessLogs(kafka, dir, settings("logs-block-it", "BLOCK", 500, sink)).start();
                Sampler sampler = new Sampler()) {
            AtomicLong maxLag = new AtomicLong();
            AtomicLong maxBuffered = new AtomicLong();
            AtomicLong produced = new AtomicLong();
            sampler.every(20, () -> {
                maxLag.accumulateAndGet(produced.get() - logs.in(), Math::max);
                maxBuffered.accumulateAndGet((long) logs.gauge(MetricNames.BUFFER_RECORDS), Math::max);
            });

            // slow: ~2 batches of 50 per 300 ms leave; the buffer (500) fills; BLOCK stops taking records
            kafka.produce(0, 3_000, SERVICES);
            produced.set(3_000);
            await().atMost(Duration.ofSeconds(90)).until(() -> logs.out() == 3_000 && sink.eventsAccepted.get() == 3_000);
            assertThat(logs.dropped(DropReason.OVERFLOW)).as("nothing dropped while within logs.block.max.ms").isZero();
            assertThat(maxLag.get()).as("records waited in the topic: lag grew").isGreaterThan(1_000);
            // the caps are per task; the gauges sum over this instance's tasks
            long capacity = (long) logs.gauge(MetricNames.BUFFER_CAPACITY_RECORDS);
            assertThat(capacity).isEqualTo(500L * LogsKafka.PARTITIONS);
            assertThat(maxBuffered.get()).isLessThanOrEqualTo(capacity);
            System.out.printf("[LogsBackpressureIT] BLOCK slow phase: max lag %d records, max buffered %d of %d%n",
                    maxLag.get(), maxBuffered.get(), capacity);

            // failing: deliveries fail, the breaker opens; the batches are dead-lettered (they are in the topic)
            sink.mode(FakeHttpSink.Mode.FAIL);
            kafka.produce(3_000, 4_000, SERVICES);
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.gauge(MetricNames.CIRCUIT_STATE) == 2.0);
            assertThat(logs.pipeline.status()).containsEntry("circuitState", "OPEN");
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.out() == 4_000);

            // recovered: after the open wait, trial calls succeed and the breaker closes
            sink.mode(FakeHttpSink.Mode.OK);
            long acceptedBefore = sink.accepted.get();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                kafka.produce(0, 100, SERVICES); // keep calls coming so the breaker can try again
                return logs.gauge(MetricNames.CIRCUIT_STATE) == 0.0 && sink.accepted.get() > acceptedBefore;
            });
            long sinkFailures = logs.dropped(DropReason.RETRIES_EXHAUSTED) + logs.dropped(DropReason.CIRCUIT_OPEN);
            assertThat(sinkFailures).as("failed deliveries dead-lettered").isPositive();
            assertThat(logs.dropped(DropReason.OVERFLOW)).isZero();
            System.out.printf("[LogsBackpressureIT] BLOCK failing phase: retries_exhausted=%d circuit_open=%d%n",
                    logs.dropped(DropReason.RETRIES_EXHAUSTED), logs.dropped(DropReason.CIRCUIT_OPEN));
        }
    }

    @Test
    void shouldDropNewestWithinTheCapsAndCountEveryMissingEvent(TestBroker broker) throws Exception {
        int total = 3_000;
        try (FakeHttpSink sink = new FakeHttpSink().mode(FakeHttpSink.Mode.SLOW).slowMs(500);
                LogsKafka kafka = new LogsKafka(broker.bootstrapServers(), LogsKafka.prefixed("dropnewest"));
                InProcessLogs logs = new InProcessLogs(kafka, dir, settings("logs-drop-it", "DROP_NEWEST", 300, sink))
                        .start();
                LogsKafka.Tally tally = kafka.tally();
                Sampler sampler = new Sampler()) {
            long capBytes = (long) logs.gauge(MetricNames.BUFFER_CAPACITY_BYTES);
            long capRecords = (long) logs.gauge(MetricNames.BUFFER_CAPACITY_RECORDS);
            assertThat(capRecords).as("per-task caps, summed over the tasks").isEqualTo(300L * LogsKafka.PARTITIONS);
            AtomicLong maxBuffered = new AtomicLong();
            AtomicLong maxBytes = new AtomicLong();
            sampler.every(20, () -> {
                maxBuffered.accumulateAndGet((long) logs.gauge(MetricNames.BUFFER_RECORDS), Math::max);
                maxBytes.accumulateAndGet((long) logs.gauge(MetricNames.BUFFER_BYTES), Math::max);
            });

            kafka.produce(0, total, SERVICES);
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.in() == total);
            sink.mode(FakeHttpSink.Mode.OK);
            await().atMost(Duration.ofSeconds(60)).until(() -> logs.pipeline.tasks().records() == 0
                    && logs.pipeline.tasks().inFlight() == 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                tally.poll();
                return tally.eventsInBatches == logs.out()
                        && tally.dlqByReason.getOrDefault("overflow", 0L) == logs.dropped(DropReason.OVERFLOW);
            });

            long dropped = logs.dropped(DropReason.OVERFLOW);
            System.out.printf("[LogsBackpressureIT] DROP_NEWEST: produced %d, in batches %d, dropped(overflow) %d, "
                    + "max buffered %d/%d records, max %d/%d bytes%n", total, tally.eventsInBatches, dropped,
                    maxBuffered.get(), capRecords, maxBytes.get(), capBytes);
            assertThat(dropped).as("the slow sink made the buffer overflow").isPositive();
            assertThat(dropped).as("drop counter = events missing from the output").isEqualTo(total - tally.eventsInBatches);
            assertThat(tally.dlqByReason).containsEntry("overflow", dropped);
            assertThat(maxBuffered.get()).isLessThanOrEqualTo(capRecords);
            assertThat(maxBytes.get()).isLessThanOrEqualTo(capBytes);
        }
    }

    /** Runs a probe periodically on its own thread until closed. */
    static final class Sampler implements AutoCloseable {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "it-sampler");
            t.setDaemon(true);
            return t;
        });

        void every(long ms, Runnable probe) {
            timer.scheduleAtFixedRate(probe, 0, ms, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
