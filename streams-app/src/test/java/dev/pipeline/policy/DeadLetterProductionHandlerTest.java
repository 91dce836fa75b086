package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.ErrorPolicy;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** Send errors, which TopologyTestDriver's producer never reports: driven directly. */
class DeadLetterProductionHandlerTest {
    private final PipelineMetrics metrics = PipelineMetrics.inMemory();

    private DeadLetterProductionHandler handler(ErrorPolicy policy) {
        DeadLetterProductionHandler h = new DeadLetterProductionHandler();
        h.configure(ExceptionHandling.streamsProperties(new ExceptionHandling.Settings("orders", "pipeline-dlq",
                ErrorPolicy.CONTINUE_TO_DLQ, ErrorPolicy.CONTINUE_TO_DLQ, policy, new DropRecorder("orders", metrics, null))));
        return h;
    }

    @Test
    void shouldDeadLetterTheSourceRecordOfAPermanentSendErrorAsProduction() {
        Response r = handler(ErrorPolicy.CONTINUE_TO_DLQ).handleError(context(bytes("src-key"), bytes("src-value")),
                output(), new RecordTooLargeException("too large"));

        assertThat(r.result()).isEqualTo(Result.RESUME);
        ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().get(0);
        assertThat(dead.topic()).isEqualTo("pipeline-dlq");
        assertThat(dead.key()).isEqualTo(bytes("src-key"));
        assertThat(dead.value()).isEqualTo(bytes("src-value"));
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("production");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.PIPELINE)).isEqualTo("orders");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("42");
        assertThat(count(MetricNames.DLQ_RECORDS, DropReason.PRODUCTION)).isEqualTo(1.0);
    }

    @Test
    void shouldCallARetriableErrorThatReachesTheHandlerRetriesExhausted() {
        Response r = handler(ErrorPolicy.CONTINUE_TO_DLQ).handleError(context(bytes("k"), bytes("v")), output(),
                new TimeoutException("delivery.timeout.ms expired"));

        assertThat(r.result()).isEqualTo(Result.RESUME);
        assertThat(DeadLetters.header(r.deadLetterQueueRecords().get(0).headers(), DeadLetters.REASON))
                .isEqualTo("retries_exhausted");
        assertThat(count(MetricNames.DROPPED_RECORDS, DropReason.RETRIES_EXHAUSTED)).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterAPunctuatorsOutputItselfWhenThereIsNoSourceRecord() {
        Response r = handler(ErrorPolicy.CONTINUE_TO_DLQ).handleError(context(null, null), output(),
                new RecordTooLargeException("too large"));

        ProducerRecord<byte[], byte[]> dead = r.deadLetterQueueRecords().get(0);
        assertThat(dead.key()).isEqualTo(bytes("out-key"));
        assertThat(dead.value()).isEqualTo(bytes("out-value"));
    }

    @Test
    void shouldNotDeadLetterAFailedDeadLetterWriteButCountItAsLost() {
        ProducerRecord<byte[], byte[]> deadLetter = new ProducerRecord<>("pipeline-dlq", bytes("k"), bytes("v"));
        Response r = handler(ErrorPolicy.CONTINUE_TO_DLQ).handleError(context(bytes("k"), bytes("v")), deadLetter,
                new RecordTooLargeException("too large"));

        assertThat(r.result()).isEqualTo(Result.RESUME);
        assertThat(r.deadLetterQueueRecords()).isEmpty();
        assertThat(count(MetricNames.DROPPED_RECORDS, DropReason.PRODUCTION)).isEqualTo(1.0);
        assertThat(count(MetricNames.DLQ_RECORDS, DropReason.PRODUCTION)).isZero();
    }

    @Test
    void shouldFailWithTheDeadLetterRecordWhenThePolicyIsFail() {
        Response r = handler(ErrorPolicy.FAIL).handleError(context(bytes("k"), bytes("v")), output(),
                new RecordTooLargeException("too large"));

        assertThat(r.result()).isEqualTo(Result.FAIL);
        assertThat(r.deadLetterQueueRecords()).hasSize(1);
    }

    private double count(String name, DropReason reason) {
        var c = metrics.registry().find(name).tag(MetricNames.TAG_REASON, reason.label()).counter();
        return c == null ? 0 : c.count();
    }

    private static ProducerRecord<byte[], byte[]> output() {
        return new ProducerRecord<>("orders-processed", bytes("out-key"), bytes("out-value"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ErrorHandlerContext context(byte[] rawKey, byte[] rawValue) {
        return new ErrorHandlerContext() {
            @Override public String topic() { return "orders"; }
            @Override public int partition() { return 3; }
            @Override public long offset() { return 42; }
            @Override public Headers headers() { return new RecordHeaders(); }
            @Override public String processorNodeId() { return "sink"; }
            @Override public TaskId taskId() { return new TaskId(0, 3); }
            @Override public long timestamp() { return 1_000L; }
            @Override public byte[] sourceRawKey() { return rawKey; }
            @Override public byte[] sourceRawValue() { return rawValue; }
        };
    }
}
