package dev.pipeline.logs;

import static dev.pipeline.config.LogsKeys.BATCH_MAX_RECORDS_CONFIG;
import static dev.pipeline.config.LogsKeys.BLOCK_FALLBACK_CONFIG;
import static dev.pipeline.config.LogsKeys.BLOCK_MAX_MS_CONFIG;
import static dev.pipeline.config.LogsKeys.BUFFER_MAX_BYTES_CONFIG;
import static dev.pipeline.config.LogsKeys.BUFFER_MAX_RECORDS_CONFIG;
import static dev.pipeline.config.LogsKeys.BUFFER_OVERFLOW_POLICY_CONFIG;
import static dev.pipeline.config.LogsKeys.FLUSH_INTERVAL_MS_CONFIG;
import static dev.pipeline.config.LogsKeys.FLUSH_MAX_AGE_MS_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** Each overflow policy against a buffer of two records. */
class LogsOverflowTest extends LogsDriverTests {
    private LogsDriver start(String policy, Map<String, ?> more) {
        Map<String, Object> overrides = new HashMap<>(Map.of(BUFFER_MAX_RECORDS_CONFIG, 2, BATCH_MAX_RECORDS_CONFIG, 2,
                BUFFER_OVERFLOW_POLICY_CONFIG, policy, FLUSH_INTERVAL_MS_CONFIG, 1_000, FLUSH_MAX_AGE_MS_CONFIG, 5_000));
        overrides.putAll(more);
        return start(overrides);
    }

    /** Fills the two-record buffer with one event each of services a and b (no batch is full). */
    private void fill() {
        logs.send("a", "a1", 0);
        logs.send("b", "b1", 1);
    }

    private String dlqEventId(TestRecord<byte[], byte[]> dead) {
        return logs.events.deserialize("logs-raw", dead.value()).getEventId();
    }

    private List<String> flushedAfterTick() {
        logs.advance(6_000);
        return logs.output.readValuesToList().stream().map(b -> b.getService() + ":" + b.getCount()).toList();
    }

    @Test
    void shouldDropNewestWhenBufferFull() {
        start("DROP_NEWEST", Map.of());
        fill();
        logs.send("c", "c1", 2);

        TestRecord<byte[], byte[]> dead = logs.dlq.readRecord();
        assertThat(dlqEventId(dead)).isEqualTo("c1");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("overflow");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("2");
        assertThat(logs.dlq.isEmpty()).isTrue();
        assertThat(logs.dropped(DropReason.OVERFLOW)).isEqualTo(1.0);
        assertThat(logs.output.isEmpty()).isTrue();
        assertThat(flushedAfterTick()).containsExactly("a:1", "b:1");
    }

    @Test
    void shouldDropOldestWhenBufferFull() {
        start("DROP_OLDEST", Map.of());
        fill();
        logs.send("c", "c1", 2);

        TestRecord<byte[], byte[]> dead = logs.dlq.readRecord();
        assertThat(dlqEventId(dead)).isEqualTo("a1");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("overflow");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).as("kept in the entry").isEqualTo("0");
        assertThat(new String(dead.key())).isEqualTo("a");
        assertThat(logs.dropped(DropReason.OVERFLOW)).isEqualTo(1.0);
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isEqualTo(2.0);
        assertThat(flushedAfterTick()).containsExactly("b:1", "c:1");
    }

    @Test
    void shouldDropOldestUntilALargeRecordFitsTheByteCap() {
        start("DROP_OLDEST", Map.of(BUFFER_MAX_RECORDS_CONFIG, 100, BUFFER_MAX_BYTES_CONFIG, 1_024));
        for (int i = 0; i < 20 && logs.dlq.isEmpty(); i++) {
            logs.send("s" + i, "e" + i, i);
        }
        assertThat(logs.dropped(DropReason.OVERFLOW)).isEqualTo(1.0);
        assertThat(dlqEventId(logs.dlq.readRecord())).isEqualTo("e0");
        assertThat(logs.gauge(MetricNames.BUFFER_BYTES)).isLessThanOrEqualTo(1_024.0);
    }

    @Test
    void shouldEmitOldestServiceEarlyWhenBufferFull() {
        start("EMIT_EARLY", Map.of());
        fill();
        logs.send("c", "c1", 2);

        LogBatch early = logs.output.readValue();
        assertThat(early.getService()).isEqualTo("a");
        assertThat(early.getFlushReason()).isEqualTo(FlushReason.OVERFLOW);
        assertThat(logs.output.isEmpty()).isTrue();
        assertThat(logs.dlq.isEmpty()).as("nothing lost").isTrue();
        assertThat(logs.dropped(DropReason.OVERFLOW)).isZero();
        assertThat(flushedAfterTick()).containsExactly("b:1", "c:1");
    }

    @Test
    void shouldBlockUntilAServiceComesDueThenFlushItWithoutDropping() {
        start("BLOCK", Map.of(FLUSH_INTERVAL_MS_CONFIG, 3_600_000, FLUSH_MAX_AGE_MS_CONFIG, 1_000,
                BLOCK_MAX_MS_CONFIG, 10_000));
        fill();
        logs.advance(1_000); // a and b are due now, but the hourly ticker has not run

        logs.send("c", "c1", 2);

        assertThat(logs.output.readValuesToList()).extracting(LogBatch::getService, LogBatch::getFlushReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", FlushReason.TICK));
        assertThat(logs.dlq.isEmpty()).isTrue();
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isEqualTo(2.0);
    }

    @Test
    void shouldApplyFallbackAfterBlockTimesOutAndNotWaitAgainWhileStalled() {
        long blockMs = 300;
        start("BLOCK", Map.of(BLOCK_MAX_MS_CONFIG, blockMs, BLOCK_FALLBACK_CONFIG, "DROP_NEWEST",
                FLUSH_MAX_AGE_MS_CONFIG, 60_000));
        fill();

        long t0 = System.nanoTime();
        logs.send("c", "c1", 2);
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        logs.send("d", "d1", 3);
        long secondMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(firstMs).as("waited for room").isGreaterThanOrEqualTo(blockMs);
        assertThat(secondMs).as("stalled: fallback at once").isLessThan(blockMs);
        assertThat(logs.dlq.readValuesToList()).hasSize(2);
        assertThat(logs.dropped(DropReason.OVERFLOW)).isEqualTo(2.0);
        assertThat(logs.output.isEmpty()).isTrue();
    }

    @Test
    void shouldStopWithClearErrorWhenBufferFullUnderFailPolicy() {
        start("FAIL", Map.of());
        fill();

        assertThatThrownBy(() -> logs.send("c", "c1", 2))
                .hasRootCauseInstanceOf(BufferFullException.class)
                .rootCause().hasMessageContaining("logs.buffer.overflow.policy=FAIL")
                .hasMessageContaining("2/2 records");
        assertThat(logs.dropped(DropReason.OVERFLOW)).isZero();
        assertThat(logs.metrics.recordsIn("logs").count()).as("the failing record is not counted in").isEqualTo(2.0);
    }

    @Test
    void shouldDropRecordLargerThanTheWholeBufferWhateverThePolicy() {
        start("EMIT_EARLY", Map.of(BUFFER_MAX_BYTES_CONFIG, 1_024));
        logs.input.pipeInput("big", dev.pipeline.schema.LogEvent.newBuilder(LogsDriver.event("big", "huge", dev.pipeline.schema.LogLevel.INFO,
                LogsDriver.T0)).setMessage("x".repeat(2_000)).build(), LogsDriver.T0);

        assertThat(dlqEventId(logs.dlq.readRecord())).isEqualTo("huge");
        assertThat(logs.dropped(DropReason.OVERFLOW)).isEqualTo(1.0);
        assertThat(logs.gauge(MetricNames.BUFFER_RECORDS)).isZero();
    }
}
