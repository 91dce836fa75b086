package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DropReason;
import dev.pipeline.policy.Ledger;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the HTTP sink stalled and 1M events pushed, the buffer stays within
 * {@code logs.buffer.max.bytes} (sampled every 10 ms) and the heap after GC stays flat (reported,
 * not asserted: the broker shares this JVM).
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class LogsMemoryBoundIT {
    private static final int TOTAL = 1_000_000;
    private static final long MAX_BYTES = 2L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldKeepBufferWithinItsByteCapWhileTheSinkIsStalled(TestBroker broker) throws Exception {
        try (FakeHttpSink sink = new FakeHttpSink().mode(FakeHttpSink.Mode.STALL);
                // one partition, one task: the gauge is that task's buffer, bounded by logs.buffer.max.bytes itself
                LogsKafka kafka = new LogsKafka(broker.bootstrapServers(), LogsKafka.prefixed("memory"), 1);
                InProcessLogs logs = new InProcessLogs(kafka, dir, Map.ofEntries(
                        Map.entry("logs.application.id", "logs-memory-it"),
                        Map.entry("logs.buffer.overflow.policy", "DROP_NEWEST"),
                        Map.entry("logs.buffer.max.bytes", MAX_BYTES),
                        Map.entry("logs.buffer.max.records", 1_000_000),
                        Map.entry("logs.sink.http.url", sink.url()),
                        Map.entry("logs.sink.max.in.flight", 2),
                        Map.entry("external.call.timeout.ms", 2_000),
                        Map.entry("external.retry.max.attempts", 1),
                        Map.entry("external.retry.max.elapsed.ms", 5_000),
                        Map.entry("conservation.check.interval.ms", 1_000))).start();
                LogsBackpressureIT.Sampler sampler = new LogsBackpressureIT.Sampler()) {
            AtomicLong maxBytes = new AtomicLong();
            AtomicLong samples = new AtomicLong();
            sampler.every(10, () -> {
                maxBytes.accumulateAndGet((long) logs.gauge(MetricNames.BUFFER_BYTES), Math::max);
                samples.incrementAndGet();
            });
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            List<String> heap = new ArrayList<>();
            heap.add("start " + heapAfterGc(memory));

            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                try {
                    kafka.produce(0, TOTAL, 50);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            for (long mark = 250_000; mark <= TOTAL; mark += 250_000) {
                long target = mark;
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> logs.in() >= target);
                heap.add(target / 1000 + "k " + heapAfterGc(memory));
            }
            producing.join();
            double seconds = (System.nanoTime() - t0) / 1e9;
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.pipeline.conservation().total().in() == TOTAL);
            Ledger.Snapshot terms = logs.pipeline.conservation().total();

            System.out.printf("[LogsMemoryBoundIT] %d events in %.1f s; pipeline_buffer_bytes max %d of cap %d over %d "
                    + "samples; dropped(overflow) %d, out %d; heap used after GC (MB): %s; conservation %s%n", TOTAL,
                    seconds, maxBytes.get(), MAX_BYTES, samples.get(), logs.dropped(DropReason.OVERFLOW), logs.out(),
                    heap, terms);
            assertThat(maxBytes.get()).isLessThanOrEqualTo(MAX_BYTES).isPositive();
            assertThat(logs.dropped(DropReason.OVERFLOW)).as("the stalled sink made the buffer overflow").isPositive();
            assertThat(terms.holds()).as("in = out + dlq + dropped + buffered: " + terms).isTrue();
        }
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }
}
