package dev.pipeline.logs;

import static dev.pipeline.config.LogsKeys.BATCH_MAX_RECORDS_CONFIG;
import static dev.pipeline.config.LogsKeys.BATCH_SAMPLE_SIZE_CONFIG;
import static dev.pipeline.config.LogsKeys.FLUSH_INTERVAL_MS_CONFIG;
import static dev.pipeline.config.LogsKeys.FLUSH_MAX_AGE_MS_CONFIG;
import static dev.pipeline.config.LogsKeys.LATE_GRACE_MS_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogLevel;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Flush triggers of the logs topology: SIZE, TICK, late drops, SHUTDOWN, and the ledger. */
class LogsTopologyTest extends LogsDriverTests {
    @Test
    void shouldFlushServiceWhenBatchIsFull() {
        start(Map.of(BATCH_MAX_RECORDS_CONFIG, 3, BATCH_SAMPLE_SIZE_CONFIG, 2));
        logs.send("checkout", "e1", LogLevel.INFO, 10);
        logs.send("search", "s1", LogLevel.INFO, 15);
        logs.send("checkout", "e2", LogLevel.WARN, 20);
        assertThat(logs.output.isEmpty()).isTrue();

        logs.send("checkout", "e3", LogLevel.ERROR, 30);

        TestRecord<String, LogBatch> out = logs.output.readRecord();
        LogBatch batch = out.value();
        assertThat(out.key()).isEqualTo("checkout");
        assertThat(batch.getFlushReason()).isEqualTo(FlushReason.SIZE);
        assertThat(batch.getCount()).isEqualTo(3);
        assertThat(batch.getCountByLevel()).containsEntry("INFO", 1L).containsEntry("WARN", 1L).containsEntry("ERROR", 1L);
        assertThat(batch.getSampleMessages()).containsExactly("message e1", "message e2");
        assertThat(batch.getFirstTimestamp()).isEqualTo(LogsDriver.T0.plusMillis(10));
        assertThat(batch.getLastTimestamp()).isEqualTo(LogsDriver.T0.plusMillis(30));
        assertThat(batch.getBytes()).isPositive();
        assertThat(out.timestamp()).isEqualTo(LogsDriver.T0.plusMillis(30).toEpochMilli());
        assertThat(logs.output.isEmpty()).isTrue();
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isEqualTo(1.0);
        LogsBuffer store = (LogsBuffer) logs.driver.getStateStore(BufferProcessor.STORE);
        assertThat(store.storedRows()).as("the open chunk of the one event left, written by the driver's commit")
                .isEqualTo(1);
        assertThat(logs.metrics.recordsIn("logs").count()).isEqualTo(4.0);
        assertThat(logs.metrics.recordsOut("logs").count()).isEqualTo(3.0);
        assertThat(logs.gauge(MetricNames.CIRCUIT_STATE)).as("no HTTP sink: reported closed").isZero();
    }

    @Test
    void shouldFlushQuietServiceOnTickWithoutNewInput() {
        start(Map.of(FLUSH_INTERVAL_MS_CONFIG, 1_000, FLUSH_MAX_AGE_MS_CONFIG, 5_000));
        logs.send("billing", "b1", 0);
        logs.send("billing", "b2", 1);

        logs.advance(4_000);
        assertThat(logs.output.isEmpty()).as("younger than the max age").isTrue();
        assertThat(logs.metrics.storeEntries().entries("logs", BufferProcessor.STORE)).as("one chunk").isEqualTo(1);

        logs.advance(2_000);
        LogBatch batch = logs.output.readValue();
        assertThat(batch.getFlushReason()).isEqualTo(FlushReason.TICK);
        assertThat(batch.getCount()).isEqualTo(2);
        assertThat(batch.getWindowStart()).isEqualTo(LogsDriver.T0);
        assertThat(batch.getWindowEnd()).isAfterOrEqualTo(LogsDriver.T0.plusMillis(5_000));
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isZero();
        assertThat(logs.gauge(MetricNames.BUFFER_BYTES)).isZero();
        assertThat(logs.metrics.storeEntries().entries("logs", BufferProcessor.STORE)).isZero();
        assertThat(logs.metrics.storeEntries().entries("logs", "logs-ledger")).as("in; out is written with the next commit")
                .isEqualTo(1);
    }

    @Test
    void shouldDropLateEventInStreamTime() {
        start(Map.of(LATE_GRACE_MS_CONFIG, 1_000));
        logs.send("api", "a1", 10_000);
        logs.send("api", "late", 8_999);
        logs.send("api", "in-grace", 9_000);

        var dead = logs.dlq.readRecord();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("late");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.PIPELINE)).isEqualTo("logs");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(new String(dead.key())).isEqualTo("api");
        assertThat(logs.events.deserialize("logs-raw", dead.value()).getEventId()).isEqualTo("late");
        assertThat(logs.dlq.isEmpty()).isTrue();
        assertThat(logs.dropped(DropReason.LATE)).isEqualTo(1.0);
        assertThat(logs.metrics.deadLettered("logs", DropReason.LATE.label()).count()).isEqualTo(1.0);
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isEqualTo(2.0);
    }

    @Test
    void shouldFlushEverythingWhenDrainingAndNothingOnClose() {
        start(Map.of(BATCH_MAX_RECORDS_CONFIG, 100));
        logs.send("a", "a1", 0);
        logs.send("b", "b1", 1);
        logs.send("a", "a2", 2);
        assertThat(logs.output.isEmpty()).isTrue();
        assertThat(logs.gauge(MetricNames.BUFFER_CAPACITY_RECORDS)).isEqualTo(100_000.0);
        assertThat(logs.pipeline.drained()).isFalse();

        logs.pipeline.drain();
        logs.advance(1_000);

        var batches = logs.output.readValuesToList();
        assertThat(batches).extracting(LogBatch::getService).containsExactly("a", "b");
        assertThat(batches).extracting(LogBatch::getCount).containsExactly(2L, 1L);
        assertThat(batches).allSatisfy(b -> assertThat(b.getFlushReason()).isEqualTo(FlushReason.SHUTDOWN));
        assertThat(logs.pipeline.drained()).isTrue();
        logs.send("c", "c1", 3);
        assertThat(logs.output.readValue().getFlushReason()).as("passes straight through while draining")
                .isEqualTo(FlushReason.SHUTDOWN);

        logs.send("d", "d1", 4);
        logs.close();
        assertThat(logs.output.readValue().getService()).as("drain still on: d passed through").isEqualTo("d");
        assertThat(logs.output.isEmpty()).as("close itself emits nothing").isTrue();
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).as("closed task removed its contribution").isZero();
        assertThat(logs.gauge(MetricNames.BUFFER_CAPACITY_RECORDS)).isZero();
    }

    @Test
    void shouldKeepBufferedEventsInTheStoreOnCloseWithoutEmitting() {
        start(Map.of(BATCH_MAX_RECORDS_CONFIG, 100));
        logs.send("a", "a1", 0);
        logs.send("b", "b1", 1);
        LogsBuffer store = (LogsBuffer) logs.driver.getStateStore(BufferProcessor.STORE);

        logs.close();

        assertThat(logs.output.isEmpty()).as("a task that closes (revoked, stopped) emits nothing").isTrue();
        assertThat(store.records()).as("still buffered for the next owner").isEqualTo(2);
    }

    @Test
    void shouldDeadLetterInvalidEventBeforeCountingIt() {
        start(Map.of());
        logs.input.pipeInput("billing", LogsDriver.event("checkout", "x1", LogLevel.INFO, LogsDriver.T0), LogsDriver.T0);
        logs.input.pipeInput("billing", null, LogsDriver.T0);

        var dead = logs.dlq.readRecordsToList();
        assertThat(dead).hasSize(2).allSatisfy(d ->
                assertThat(DeadLetters.header(d.headers(), DeadLetters.REASON)).isEqualTo("processing"));
        assertThat(logs.events.deserialize("logs-raw", dead.get(0).value()).getEventId()).isEqualTo("x1");
        assertThat(logs.metrics.recordsIn("logs").count()).as("rejected before the ledger").isZero();
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isZero();
    }

    @Test
    void shouldBalanceLedgerAcrossFlushesAndDrops() {
        start(Map.of(BATCH_MAX_RECORDS_CONFIG, 2, LATE_GRACE_MS_CONFIG, 0, "conservation.check.interval.ms", 500));
        logs.send("a", "a1", 100);
        logs.send("a", "a2", 101);
        logs.send("b", "late", 50);
        logs.send("c", "c1", 102);
        logs.advance(1_000);

        Map<String, Object> status = logs.pipeline.status();
        @SuppressWarnings("unchecked")
        Map<String, Object> conservation = (Map<String, Object>) status.get("conservation");
        assertThat(conservation).containsEntry("in", 4L).containsEntry("out", 2L).containsEntry("dlq", 1L)
                .containsEntry("buffered", 1L).containsEntry("holds", true).containsEntry("violations", 0L);
        assertThat(conservation).containsEntry("droppedByReason", Map.of("late", 1L));
        assertThat(status).containsEntry("buffered", 1L).containsEntry("bufferCapacityRecords", 100_000L)
                .containsEntry("circuitState", "NONE").containsEntry("sinkInFlight", 0L);
    }
}
