package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.LogsKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.kafka.serde.WithBytes;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.ConservationCheck;
import dev.pipeline.policy.ConservationStatus;
import dev.pipeline.policy.InputValidation;
import dev.pipeline.policy.Ledger;
import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The processor alone: its punctuators' lifecycle, and rebuilding the buffer from the rows of the last commit. */
class BufferProcessorTest {
    private final String scope = "buffer-test-" + UUID.randomUUID();
    private final AvroSerde<LogEvent> events = new AvroSerde<>(SchemaRegistryClients.mock(scope), LogEvent.class);
    private final AvroSerde<LogBatch> batches = new AvroSerde<>(SchemaRegistryClients.mock(scope), LogBatch.class);
    private final PipelineMetrics metrics = PipelineMetrics.inMemory();
    private final TaskBuffers tasks = new TaskBuffers();
    private final LogsSettings settings = LogsSettings.from(PipelineConfig.defaults()
            .with(Map.of(LogsKeys.FLUSH_INTERVAL_MS_CONFIG, 250, LogsKeys.FLUSH_MAX_AGE_MS_CONFIG, 0)));
    private final LogsBuffer buffer = LogsBuffer.builder(Stores.inMemoryKeyValueStore(BufferProcessor.STORE))
            .withLoggingDisabled().build();
    private final KeyValueStore<String, Long> ledger = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(Ledger.storeName("logs")), Serdes.String(), Serdes.Long())
            .withLoggingDisabled().build();

    @AfterEach
    void dropRegistry() {
        SchemaRegistryClients.dropMock(scope);
    }

    private MockProcessorContext<Object, Object> context() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "buffer-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<Object, Object> ctx = new MockProcessorContext<>(props);
        buffer.init(ctx.getStateStoreContext(), buffer);
        ledger.init(ctx.getStateStoreContext(), ledger);
        ctx.addStateStore(buffer);
        ctx.addStateStore(ledger);
        ctx.setCurrentSystemTimeMs(1_000_000L);
        ctx.setCurrentStreamTimeMs(0L);
        return ctx;
    }

    private final ConservationStatus conservation = new ConservationStatus();

    private BufferProcessor processor() {
        return processor(BatchSink.NONE);
    }

    private BufferProcessor processor(BatchSink sink) {
        return new BufferProcessor(new BufferProcessor.Deps(settings, events, batches, Topics.defaults(), metrics, tasks,
                task -> sink, InputValidation.from(PipelineConfig.defaults()),
                new ConservationCheck("logs", metrics, conservation), Duration.ofSeconds(10)));
    }

    /** An external sink that takes batches and answers only when told to. */
    private static final class HeldSink implements BatchSink {
        final List<Long> submitted = new ArrayList<>();
        final List<BatchSink.Result> answers = new ArrayList<>();

        @Override
        public boolean hasRoom() {
            return true;
        }

        @Override
        public void submit(long id, String service, LogBatch batch) {
            submitted.add(id);
        }

        @Override
        public List<Result> poll(long waitMs) {
            List<Result> out = List.copyOf(answers);
            answers.clear();
            return out;
        }

        @Override
        public int inFlight() {
            return submitted.size();
        }

        @Override
        public boolean external() {
            return true;
        }

        @Override
        public void close() {}
    }

    @Test
    void shouldDeliverABatchAgainAfterARestartWhenItsDeliveryHadNotEnded() {
        MockProcessorContext<Object, Object> first = context();
        HeldSink before = new HeldSink();
        BufferProcessor p = processor(before);
        p.init(first);
        first.setRecordMetadata("logs-raw", 0, 1);
        p.process(record("a", "a1", 1_000));
        first.setCurrentSystemTimeMs(first.currentSystemTimeMs() + 1);
        first.scheduledPunctuators().get(0).getPunctuator().punctuate(first.currentSystemTimeMs());
        assertThat(first.forwarded(BufferProcessor.OUTPUT_SINK)).hasSize(1);
        assertThat(before.submitted).hasSize(1);
        buffer.flushCache();
        assertThat(buffer.storedRows()).as("the batch in delivery, kept until its outcome").isEqualTo(1);
        p.close();

        MockProcessorContext<Object, Object> second = context();
        HeldSink after = new HeldSink();
        BufferProcessor next = processor(after);
        next.init(second);
        second.setRecordMetadata("logs-raw", 0, 2);
        next.process(record("b", "b1", 1_001));
        assertThat(after.submitted).as("submitted again by the next owner").containsExactlyElementsOf(before.submitted);
        assertThat(second.forwarded(BufferProcessor.OUTPUT_SINK)).as("not emitted twice to the output topic").isEmpty();

        after.answers.add(new BatchSink.Result(after.submitted.get(0), "a", null, java.util.Optional.empty(), 1, null));
        next.process(record("b", "b2", 1_002));
        buffer.flushCache();
        assertThat(buffer.storedRows()).as("delivered: the batch left the store; b's open chunk is there").isEqualTo(1);
        next.close();
    }

    private Record<String, WithBytes<LogEvent>> record(String service, String id, long ts) {
        LogEvent event = LogsDriver.event(service, id, LogLevel.INFO, java.time.Instant.ofEpochMilli(ts));
        return new Record<>(service, new WithBytes<>(event, events.serializer().serialize("logs-raw", event)), ts);
    }

    @Test
    void shouldCancelPunctuatorsOnClose() {
        MockProcessorContext<Object, Object> ctx = context();
        BufferProcessor p = processor();
        p.init(ctx);
        ctx.setRecordMetadata("logs-raw", 0, 1);
        p.process(record("a", "a1", 1_000));
        assertThat(conservation.summary("logs").tasks()).isZero();
        ctx.scheduledPunctuators().get(1).getPunctuator().punctuate(ctx.currentSystemTimeMs());
        assertThat(conservation.summary("logs").tasks()).as("conservation check published").isEqualTo(1);

        assertThat(ctx.scheduledPunctuators()).hasSize(2).allSatisfy(punctuator -> {
            assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
            assertThat(punctuator.cancelled()).isFalse();
        });
        assertThat(ctx.scheduledPunctuators().get(0).getInterval()).as("flush ticker").isEqualTo(settings.flushInterval());
        p.close();

        assertThat(ctx.scheduledPunctuators()).allSatisfy(punctuator -> assertThat(punctuator.cancelled()).isTrue());
        assertThat(tasks.tasks()).as("task contribution removed").isZero();
        assertThat(conservation.summary("logs").tasks()).as("task forgotten by the conservation status").isZero();
        assertThat(ctx.forwarded()).as("close emits nothing: the last commit is behind it").isEmpty();
        assertThat(buffer.records()).as("left for the next owner").isEqualTo(1);
    }

    @Test
    void shouldRebuildBufferFromRestoredStoreAndFlushItOnTick() {
        MockProcessorContext<Object, Object> first = context();
        BufferProcessor before = processor();
        before.init(first);
        first.setRecordMetadata("logs-raw", 0, 7);
        before.process(record("a", "a1", 1_000));
        before.process(record("b", "b1", 1_001));
        before.process(record("a", "a2", 1_002));
        long bytesBefore = tasks.bytes();
        assertThat(bytesBefore).isPositive();
        buffer.flushCache();
        assertThat(buffer.storedRows()).as("one chunk per service, written before the commit").isEqualTo(2);
        // a crash after that commit: the rows survive (their changelog), the processor and the index do not

        MockProcessorContext<Object, Object> second = context();
        BufferProcessor after = processor();
        after.init(second);
        assertThat(tasks.records()).isEqualTo(3);
        assertThat(tasks.bytes()).isEqualTo(bytesBefore);
        second.setCurrentSystemTimeMs(second.currentSystemTimeMs() + 1);
        second.scheduledPunctuators().get(0).getPunctuator().punctuate(second.currentSystemTimeMs());

        var flushed = second.forwarded(BufferProcessor.OUTPUT_SINK);
        assertThat(flushed).extracting(f -> ((LogBatch) f.record().value()).getService()).containsExactly("a", "b");
        assertThat(flushed).extracting(f -> ((LogBatch) f.record().value()).getCount()).containsExactly(2L, 1L);
        assertThat(flushed).allSatisfy(f ->
                assertThat(((LogBatch) f.record().value()).getFlushReason()).isEqualTo(FlushReason.TICK));
        assertThat(buffer.storedRows()).as("deletions are written with the next commit").isEqualTo(2);
        buffer.flushCache();
        assertThat(buffer.storedRows()).isZero();
        assertThat(tasks.records()).isZero();
        after.close();
    }
}
