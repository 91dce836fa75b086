package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The accounting under random traffic: a toy buffering pipeline that records every outcome the
 * way the real ones must (ledger terms + {@link DropRecorder}) keeps the conservation equation
 * after every step, and the reason counters agree with the ledger.
 */
class LedgerPropertyTest {
    private static final List<DropReason> REASONS = Arrays.asList(DropReason.values());

    /** One step of traffic. {@code n} is how many records the step touches (capped by what is buffered). */
    record Step(Kind kind, int n, DropReason reason) {}

    enum Kind { ACCEPT, EMIT, DROP_BUFFERED, DROP_ON_ARRIVAL }

    @Provide
    Arbitrary<List<Step>> traffic() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(1, 50),
                Arbitraries.of(REASONS)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(200);
    }

    @Property(tries = 200)
    void shouldKeepTheEquationAndTheCountersConsistent(@ForAll("traffic") List<Step> steps) {
        Toy toy = new Toy();
        for (Step s : steps) {
            toy.apply(s);
            assertThat(toy.check.check("0_0", toy.ledger, toy.buffer.size())).as("after %s", s).isTrue();
        }
        Ledger.Snapshot snap = toy.ledger.snapshot(toy.buffer.size());
        Map<DropReason, Long> byReason = toy.ledger.droppedByReason();
        long dlqByMetric = 0;
        for (DropReason r : REASONS) {
            long inLedger = byReason.getOrDefault(r, 0L);
            assertThat(toy.counter(MetricNames.DROPPED_RECORDS, r)).as("dropped %s", r).isEqualTo(inLedger);
            assertThat(toy.counter(MetricNames.DLQ_RECORDS, r)).as("dlq %s", r).isEqualTo(r.toDeadLetterTopic() ? inLedger : 0);
            dlqByMetric += toy.counter(MetricNames.DLQ_RECORDS, r);
        }
        assertThat(snap.dlq()).isEqualTo(dlqByMetric).isEqualTo(toy.deadLetters);
        assertThat((long) toy.metrics.duplicates("toy").count()).isEqualTo(byReason.getOrDefault(DropReason.DUPLICATE, 0L));
        assertThat(snap.in()).isEqualTo(toy.accepted);
        assertThat(toy.metrics.conservationViolations("toy").count()).isZero();
        assertThat(toy.status.summary("toy").holds()).isTrue();
    }

    @Property(tries = 100)
    void shouldFlagRecordsThatVanishWithoutAnOutcome(@ForAll("traffic") List<Step> steps,
            @ForAll @IntRange(min = 1, max = 20) int lost) {
        Toy toy = new Toy();
        steps.forEach(toy::apply);
        for (int i = 0; i < lost; i++) {
            toy.buffer.push(new byte[0]);
            toy.ledger.in(1);
        }
        for (int i = 0; i < lost; i++) {
            toy.buffer.pop(); // a bug: gone without out/drop
        }

        assertThat(toy.check.check("0_0", toy.ledger, toy.buffer.size())).isFalse();
        ConservationStatus.Summary summary = toy.status.summary("toy");
        assertThat(summary.total().imbalance()).isEqualTo(lost);
        assertThat(summary.holds()).isFalse();
        assertThat(toy.metrics.conservationViolations("toy").count()).isEqualTo(1.0);
        // the same imbalance seen again is the same violation, not a new one
        toy.check.check("0_0", toy.ledger, toy.buffer.size());
        assertThat(toy.metrics.conservationViolations("toy").count()).isEqualTo(1.0);
    }

    @Property(tries = 50)
    void shouldSumTasksInTheStatus(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 1000) Integer> buffered) {
        ConservationStatus status = new ConservationStatus();
        ConservationCheck check = new ConservationCheck("toy", PipelineMetrics.inMemory(), status);
        for (int task = 0; task < buffered.size(); task++) {
            check.check("0_" + task, new Ledger.Snapshot(buffered.get(task) + 3, 1, 1, 1, buffered.get(task)), Map.of());
        }
        long sum = buffered.stream().mapToLong(Integer::longValue).sum();
        ConservationStatus.Summary s = status.summary("toy");
        assertThat(s.tasks()).isEqualTo(buffered.size());
        assertThat(s.total().buffered()).isEqualTo(sum);
        assertThat(s.total().in()).isEqualTo(sum + 3L * buffered.size());
        assertThat(s.holds()).isTrue();
        check.forget("0_0");
        assertThat(status.summary("toy").tasks()).isEqualTo(buffered.size() - 1);
    }

    /** A buffering pipeline in miniature, recording outcomes as the real ones must. */
    static final class Toy {
        final PipelineMetrics metrics = PipelineMetrics.inMemory();
        final ConservationStatus status = new ConservationStatus();
        final ConservationCheck check = new ConservationCheck("toy", metrics, status);
        final Ledger ledger = new Ledger(store());
        final DropRecorder recorder = new DropRecorder("toy", metrics, ledger);
        final Deque<byte[]> buffer = new ArrayDeque<>();
        long accepted;
        long deadLetters;

        void apply(Step s) {
            switch (s.kind()) {
                case ACCEPT -> {
                    for (int i = 0; i < s.n(); i++) {
                        ledger.in(1);
                        accepted++;
                        buffer.push(new byte[] {1});
                    }
                }
                case EMIT -> {
                    int k = Math.min(s.n(), buffer.size());
                    for (int i = 0; i < k; i++) {
                        buffer.pop();
                    }
                    ledger.out(k);
                }
                case DROP_BUFFERED -> {
                    int k = Math.min(s.n(), buffer.size());
                    for (int i = 0; i < k; i++) {
                        drop(s.reason(), buffer.pop());
                    }
                }
                case DROP_ON_ARRIVAL -> {
                    ledger.in(1);
                    accepted++;
                    drop(s.reason(), new byte[] {2});
                }
            }
        }

        private void drop(DropReason reason, byte[] value) {
            recorder.drop(reason, null, value, 0L, null, DeadLetters.Source.UNKNOWN, 1, null)
                    .ifPresent(r -> deadLetters++);
        }

        long counter(String name, DropReason reason) {
            var c = metrics.registry().find(name).tag(MetricNames.TAG_REASON, reason.label()).counter();
            return c == null ? 0 : (long) c.count();
        }

        @SuppressWarnings({"rawtypes", "unchecked"})
        private static KeyValueStore<String, Long> store() {
            KeyValueStore<String, Long> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("toy-ledger"),
                    Serdes.String(), Serdes.Long()).withLoggingDisabled().withCachingDisabled().build();
            MockProcessorContext context = new MockProcessorContext();
            store.init(context.getStateStoreContext(), store);
            return store;
        }
    }
}
