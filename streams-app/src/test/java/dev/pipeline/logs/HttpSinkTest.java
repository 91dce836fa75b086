package dev.pipeline.logs;

import dev.pipeline.policy.HttpClientThreads;
import static dev.pipeline.config.LogsKeys.BATCH_MAX_RECORDS_CONFIG;
import static dev.pipeline.config.LogsKeys.BUFFER_MAX_RECORDS_CONFIG;
import static dev.pipeline.config.LogsKeys.BUFFER_OVERFLOW_POLICY_CONFIG;
import static dev.pipeline.config.LogsKeys.FLUSH_INTERVAL_MS_CONFIG;
import static dev.pipeline.config.LogsKeys.SINK_HTTP_URL_CONFIG;
import static dev.pipeline.config.LogsKeys.SINK_MAX_IN_FLIGHT_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.testing.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP sink stage against a local endpoint: delivery, its window as backpressure, failures, threads. */
class HttpSinkTest extends LogsDriverTests {
    private final FakeHttpSink endpoint = new FakeHttpSink();

    @Override
    LogsDriver start(Map<String, ?> more) {
        Map<String, Object> overrides = new HashMap<>(Map.of(SINK_HTTP_URL_CONFIG, endpoint.url(),
                SINK_MAX_IN_FLIGHT_CONFIG, 1, BATCH_MAX_RECORDS_CONFIG, 2, FLUSH_INTERVAL_MS_CONFIG, 100,
                "external.call.timeout.ms", 1_000, "external.retry.max.attempts", 2,
                "external.retry.initial.backoff.ms", 10, "external.retry.max.elapsed.ms", 5_000,
                "external.call.max.concurrency", 2));
        overrides.putAll(more);
        return super.start(overrides);
    }

    /** The driver first (its sink's workers stop), then the endpoint they call. */
    @AfterEach
    void close() {
        closeDriver();
        endpoint.close();
    }

    /** Ticks until the sink's outcomes have been drained ({@code done}). */
    private void tickUntil(java.util.function.BooleanSupplier done) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
            logs.advance(100);
            return done.getAsBoolean();
        });
    }

    @Test
    void shouldPostBatchAsJson() {
        start(Map.of());
        logs.send("checkout", "c1", 0);
        logs.send("checkout", "c2", 1);

        assertThat(logs.output.readValue().getCount()).as("the output topic has it at once").isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.accepted.get() == 1);
        JsonNode body = endpoint.lastBodies.peek();
        assertThat(body.get("service").asText()).isEqualTo("checkout");
        assertThat(body.get("count").asLong()).isEqualTo(2);
        assertThat(body.get("flushReason").asText()).isEqualTo("SIZE");
        assertThat(body.get("sampleMessages")).hasSize(2);
        tickUntil(() -> logs.pipeline.tasks().inFlight() == 0);
    }

    @Test
    void shouldWriteTheBodyWithTheSchemaFieldsInOrderTimestampsAsInstantsAndTheReasonByName() throws Exception {
        LogBatch batch = LogBatch.newBuilder().setService("checkout")
                .setWindowStart(Instant.parse("2026-11-22T10:00:00Z")).setWindowEnd(Instant.parse("2026-11-22T10:01:00.250Z"))
                .setCount(2).setCountByLevel(Map.of("INFO", 2L))
                .setFirstTimestamp(Instant.parse("2026-11-22T10:00:01Z")).setLastTimestamp(Instant.parse("2026-11-22T10:00:02Z"))
                .setBytes(40).setSampleMessages(List.of("c1", "c2")).setFlushReason(FlushReason.SIZE).build();

        // the body the sink has always sent (hand-built until the schema-driven writer replaced it)
        assertThat(new String(HttpSink.json(batch), StandardCharsets.UTF_8)).isEqualTo("{\"service\":\"checkout\","
                + "\"windowStart\":\"2026-11-22T10:00:00Z\",\"windowEnd\":\"2026-11-22T10:01:00.250Z\",\"count\":2,"
                + "\"countByLevel\":{\"INFO\":2},\"firstTimestamp\":\"2026-11-22T10:00:01Z\","
                + "\"lastTimestamp\":\"2026-11-22T10:00:02Z\",\"bytes\":40,\"sampleMessages\":[\"c1\",\"c2\"],"
                + "\"flushReason\":\"SIZE\"}");
    }

    @Test
    void shouldHoldFlushesWhileTheWindowIsFullSoTheBufferFillsAndOverflows() {
        endpoint.mode(FakeHttpSink.Mode.STALL);
        start(Map.of(BUFFER_MAX_RECORDS_CONFIG, 4, BUFFER_OVERFLOW_POLICY_CONFIG, "DROP_NEWEST"));
        logs.send("a", "a1", 0);
        logs.send("a", "a2", 1); // full batch: to the sink, which does not answer
        logs.send("b", "b1", 2);
        logs.send("b", "b2", 3); // full, but the window (1) is taken: stays buffered
        logs.send("c", "c1", 4);
        logs.send("c", "c2", 5);
        logs.send("d", "d1", 6); // buffer (4) full

        assertThat(logs.output.readValuesToList()).extracting(LogBatch::getService).containsExactly("a");
        assertThat(logs.events.deserialize("logs-raw", logs.dlq.readValue()).getEventId()).isEqualTo("d1");
        assertThat(logs.dropped(DropReason.OVERFLOW)).isEqualTo(1.0);
        assertThat(logs.pipeline.tasks().inFlight()).isEqualTo(1);
        assertThat(logs.pipeline.tasks().records()).isEqualTo(4);

        endpoint.mode(FakeHttpSink.Mode.OK);
        tickUntil(() -> endpoint.accepted.get() == 3 && logs.pipeline.tasks().inFlight() == 0);
        assertThat(logs.output.readValuesToList()).extracting(LogBatch::getService).containsExactly("b", "c");
        assertThat(endpoint.eventsAccepted.get()).isEqualTo(6);
        assertThat(logs.dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldBlockTheStreamThreadUntilTheSinkHasRoomWithoutDropping() {
        endpoint.mode(FakeHttpSink.Mode.SLOW).slowMs(300);
        start(Map.of(BUFFER_MAX_RECORDS_CONFIG, 2, BUFFER_OVERFLOW_POLICY_CONFIG, "BLOCK", "logs.block.max.ms", 10_000));
        logs.send("a", "a1", 0);
        logs.send("a", "a2", 1); // in flight for 300 ms
        logs.send("b", "b1", 2);
        logs.send("b", "b2", 3); // full, held back by the window; the buffer is full

        long t0 = System.nanoTime();
        logs.send("c", "c1", 4); // waits for a's answer, then b goes out and c fits
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(waitedMs).as("the stream thread waited for the sink").isGreaterThanOrEqualTo(100);
        assertThat(logs.output.readValuesToList()).extracting(LogBatch::getService).containsExactly("a", "b");
        assertThat(logs.dlq.isEmpty()).isTrue();
        assertThat(logs.dropped(DropReason.OVERFLOW)).isZero();
        assertThat(logs.pipeline.tasks().records()).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterBatchWhoseDeliveryFailedButKeepItInTheOutputTopic() {
        endpoint.mode(FakeHttpSink.Mode.FAIL);
        start(Map.of());
        logs.send("pay", "p1", 0);
        logs.send("pay", "p2", 1);

        tickUntil(() -> !logs.dlq.isEmpty());
        var dead = logs.dlq.readRecord();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("retries_exhausted");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ATTEMPTS)).isEqualTo("2");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("logs-aggregated");
        LogBatch batch = new AvroSerde<>(logs.registry, LogBatch.class).deserialize("logs-aggregated", dead.value());
        assertThat(batch.getCount()).isEqualTo(2);
        assertThat(logs.output.readValue().getCount()).isEqualTo(2);
        assertThat(endpoint.requests.get()).isEqualTo(2);
        assertThat(logs.metrics.dropped("logs", DropReason.RETRIES_EXHAUSTED.label()).count()).isEqualTo(1.0);
        assertThat(logs.metrics.retries("logs").count()).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterBatchWhoseEndpointNeverAnswersOnceItsAttemptsTimeOut() {
        endpoint.mode(FakeHttpSink.Mode.STALL);
        start(Map.of("external.call.timeout.ms", 200));
        logs.send("pay", "p1", 0);
        long t0 = System.nanoTime();
        logs.send("pay", "p2", 1);

        tickUntil(() -> !logs.dlq.isEmpty());
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        var dead = logs.dlq.readRecord();
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("retries_exhausted");
        assertThat(DeadLetters.header(dead.headers(), DeadLetters.ATTEMPTS)).isEqualTo("2");
        assertThat(endpoint.requests.get()).as("both attempts reached the endpoint").isEqualTo(2);
        assertThat(tookMs).as("two 200 ms attempts and one backoff, not the endpoint's stall").isLessThan(5_000);
    }

    @Test
    void shouldStopSinkThreadsWhenTheLastTaskCloses() {
        Set<Thread> before = Threads.liveNonDaemon();
        Set<Thread> selectorsBefore = HttpClientThreads.selectors();
        start(Map.of());
        logs.send("x", "x1", 0);
        logs.send("x", "x2", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.accepted.get() == 1);
        assertThat(sinkThreads()).isNotEmpty();
        assertThat(HttpClientThreads.selectors()).as("the sink's client has its selector thread").hasSizeGreaterThan(selectorsBefore.size());

        logs.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> sinkThreads().isEmpty());
        assertThat(Threads.startedSince(before)).isEmpty();
        HttpClientThreads.awaitNoSelectorsBeyond(selectorsBefore);
    }

    private static Set<String> sinkThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("pipeline-logs-")).collect(java.util.stream.Collectors.toSet());
    }
}
