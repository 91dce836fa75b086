package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.LogEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The generator loop against Kafka's MockProducer: counts, fault mix, in-flight cap, pacing. Broker behaviour is in ProduceCommandIT. */
class LoadGeneratorTest {
    private static final String SCOPE = "load-generator-test";
    private final AvroSerde<LogEvent> serde = new AvroSerde<>(SchemaRegistryClients.mock(SCOPE), LogEvent.class);

    @AfterEach
    void dropRegistry() {
        SchemaRegistryClients.dropMock(SCOPE);
    }

    @Test
    void shouldSendCountFreshEventsPlusRequestedDuplicatesAndMalformed() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        LoadSummary s = generator(producer, new LoadOptions(10_000, 0, 0.1, 0.05, 20, 100, 1), LoadClock.SYSTEM).run(LoadProgress.NONE);

        assertThat(s.sent()).isEqualTo(producer.history().size()).isEqualTo(10_000 + s.duplicates() + s.malformed());
        assertThat(s.acked()).isEqualTo(s.sent());
        assertThat(s.failed()).isZero();
        assertThat(s.duplicates()).isCloseTo(1_000, within(200L));
        assertThat(s.malformed()).isCloseTo(500, within(150L));

        int bad = 0;
        int repeated = 0;
        Set<String> seen = new HashSet<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            LogEvent e = MalformedCheck.validOrNull(serde, "logs-raw", r.key(), r.value());
            if (e == null) {
                bad++;
            } else {
                repeated += seen.add(e.getEventId()) ? 0 : 1;
            }
        }
        assertThat(bad).isEqualTo(s.malformed());
        assertThat(repeated).isEqualTo(s.duplicates());
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void shouldStopSendingWhileMaxInFlightRecordsAreUnacknowledged() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        LoadGenerator<LogEvent> gen = generator(producer, new LoadOptions(20, 0, 0, 0, 5, 5, 1), LoadClock.SYSTEM);
        AtomicReference<LoadSummary> result = new AtomicReference<>();
        Thread t = runInBackground(gen, result);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.getState() == Thread.State.WAITING && producer.history().size() == 5);
        assertThat(gen.snapshot().sent()).as("the 6th send waits for an ack").isEqualTo(5);

        assertThat(producer.completeNext()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 6);
        while (t.isAlive() && !(result.get() != null)) {
            producer.completeNext();
            t.join(10);
        }
        t.join(10_000);
        assertThat(result.get().acked()).isEqualTo(20);
    }

    @Test
    void shouldCountFailedSendsAndKeepGoing() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        LoadGenerator<LogEvent> gen = generator(producer, new LoadOptions(4, 0, 0, 0, 5, 3, 1), LoadClock.SYSTEM);
        AtomicReference<LoadSummary> result = new AtomicReference<>();
        Thread t = runInBackground(gen, result);
        // the 4th send waits for an ack, so the first three stay pending until we settle them
        await().atMost(Duration.ofSeconds(10)).until(() -> producer.history().size() == 3 && t.getState() == Thread.State.WAITING);
        producer.errorNext(new TimeoutException("broker too slow"));
        producer.completeNext();
        producer.completeNext();
        t.join(10_000);
        assertThat(result.get().failed()).isEqualTo(1);
        assertThat(result.get().acked()).isEqualTo(3);
        assertThat(result.get().firstError()).contains("broker too slow");
    }

    @Test
    void shouldPaceAllRecordsIncludingFaultsWithTheTokenBucket() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        FakeClock clock = new FakeClock();
        LoadSummary s = generator(producer, new LoadOptions(2_000, 1_000, 0.25, 0, 5, 100, 9), clock).run(LoadProgress.NONE);
        // burst = 50 tokens; every further record waits 1 ms of fake time
        assertThat(clock.sleptNanos()).isCloseTo((s.sent() - 50) * 1_000_000L, within(1_000_000L));
        assertThat(s.achievedRate()).isCloseTo(1_000, within(30.0));
    }

    @Test
    void shouldRejectFractionsOutsideZeroToOne() {
        assertThat(catchThrowable(() -> new LoadOptions(1, 0, 1.5, 0, 1, 1, 0))).hasMessageContaining("duplicates");
        assertThat(catchThrowable(() -> new LoadOptions(1, -1, 0, 0, 1, 1, 0))).hasMessageContaining("rate");
    }

    private LoadGenerator<LogEvent> generator(MockProducer<byte[], byte[]> producer, LoadOptions options, LoadClock clock) {
        return new LoadGenerator<>(producer, "logs-raw", new LogEventGenerator(options.seed(), options.keys(), () -> 0L),
                serde, new CorpusMalformedRecords(LoadKind.LOGS, Topics.defaults(), SchemaRegistryClients.mock(SCOPE)::register,
                        System.currentTimeMillis()), options, clock);
    }

    /** Runs {@code gen} on a thread of its own (its sends block on acks the test gives); its summary lands in {@code result}. */
    private static Thread runInBackground(LoadGenerator<?> gen, AtomicReference<LoadSummary> result) {
        Thread t = new Thread(() -> {
            try {
                result.set(gen.run(LoadProgress.NONE));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        return t;
    }
}
