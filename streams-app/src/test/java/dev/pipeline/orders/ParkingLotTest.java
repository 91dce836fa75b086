package dev.pipeline.orders;

import static dev.pipeline.orders.OrdersDriver.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.orders.Authorizer.Verdict;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ParkingLot} over a real (in-memory, serialized) key-value store, without a topology:
 * what survives in the store is all a restarted task has, since the index, the in-flight set and
 * the answer queue are rebuilt or lost.
 */
class ParkingLotTest {
    private final String scope = "parking-lot-test-" + UUID.randomUUID();
    private final AvroSerde<OrderEvent> events = new AvroSerde<>(SchemaRegistryClients.mock(scope), OrderEvent.class);
    private final PipelineMetrics metrics = PipelineMetrics.inMemory();
    /** HOLD: with the breaker open, park (also what orders do when the key is left at its default). */
    private final AuthorizationSettings settings = AuthorizationSettings.from(PipelineConfig.defaults().with(
            ParkingTopologyTest.config(Map.of(dev.pipeline.config.PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG, "HOLD"))));
    private final FakeAuthorizer authorizer = new FakeAuthorizer();
    private final Parking parking = new Parking(settings, metrics, task -> authorizer);
    private final KeyValueStore<String, List<ParkedEvent>> store = Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(OrdersPipeline.PARKED_STORE), Serdes.String(),
            ParkedEvent.queueSerde(events.deserializer(), "orders")).withLoggingDisabled().withCachingDisabled().build();
    /** What the lot asked the processor to do, in order. */
    private final List<String> judged = new ArrayList<>();

    private final ParkingLot.Judge judge = new ParkingLot.Judge() {
        @Override
        public boolean judge(ParkedEvent p, boolean authorized) {
            if (!authorized && p.event().getType() == OrderEventType.PAID) {
                return false;
            }
            judged.add("apply " + p.event().getEventId());
            return true;
        }

        @Override
        public void drop(DropReason reason, ParkedEvent p, int attempts, String why) {
            judged.add(reason.label() + " " + p.event().getEventId() + " x" + attempts);
        }
    };

    ParkingLotTest() {
        MockProcessorContext<Object, Object> ctx = new MockProcessorContext<>();
        store.init(ctx.getStateStoreContext(), store);
    }

    @AfterEach
    void dropRegistry() {
        SchemaRegistryClients.dropMock(scope);
    }

    private ParkingLot lot() {
        AuthorizationCalls calls = new AuthorizationCalls(authorizer, parking.breaker(),
                metrics.externalCall(OrdersPipeline.NAME), settings.maxInFlight());
        ParkingLot lot = new ParkingLot(settings, store, calls, judge, metrics, OrdersPipeline.NAME, 100,
                parking.sizes.share());
        lot.init();
        return lot;
    }

    private ParkedEvent parked(OrderEvent e, long offset) {
        return new ParkedEvent(e, events.serializer().serialize("orders", e), 1_000 + offset,
                new DeadLetters.Source("orders", 0, offset), 0, -1L, -1L);
    }

    @Test
    void shouldResumeFromTheStoreAfterARestartAndMakeTheCallInFlightAgain() {
        authorizer.script = r -> null; // in flight when the first task dies
        ParkingLot first = lot();
        first.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0);
        first.enqueue("o-1", parked(event("e-3", "o-1", OrderEventType.SHIPPED), 2));
        first.close(); // the task is gone; the store is what its changelog restores

        authorizer.script = r -> Verdict.APPROVED;
        ParkingLot second = lot();
        assertThat(second.records()).isEqualTo(2);
        assertThat(second.keys()).isEqualTo(1);
        assertThat(parking.sizes.records()).isEqualTo(2);

        second.tick(10);

        assertThat(authorizer.callsFor("e-2")).isEqualTo(2); // at-least-once, same idempotency key
        assertThat(judged).containsExactly("apply e-2", "apply e-3");
        assertThat(second.records()).isZero();
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void shouldKeepAttemptsAcrossARestartSoTheCapStillHolds() {
        authorizer.script = r -> Verdict.RETRYABLE;
        ParkingLot first = lot();
        first.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0); // attempt 1
        first.tick(0);   // its failure: due again at 100
        first.tick(100); // attempt 2, failed: due again at 300
        first.close();

        ParkingLot second = lot();
        second.tick(1_000); // attempt 3: the last of 3

        assertThat(authorizer.callsFor("e-2")).isEqualTo(3);
        assertThat(judged).containsExactly("retries_exhausted e-2 x3");
        assertThat(second.keys()).isZero();
        // attempts 2 and 3, each counted when its answer came back
        assertThat(metrics.retries(OrdersPipeline.NAME).count()).isEqualTo(2.0);
    }

    @Test
    void shouldStartAHeadThatFoundEverySlotTakenAsSoonAsAnAnswerFreesOneWithoutWaitingForATick() {
        ParkingLot lot = oneSlotLot();
        authorizer.script = r -> null;
        lot.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0);
        lot.park("o-2", parked(event("f-2", "o-2", OrderEventType.PAID), 2), 0); // no slot: waits in line
        assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2");

        authorizer.complete("e-2", Verdict.APPROVED);
        lot.drain(1); // what process() does for the next record, long before the next tick

        assertThat(judged).containsExactly("apply e-2");
        assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2", "f-2");
        authorizer.complete("f-2", Verdict.APPROVED);
        lot.drain(2);
        assertThat(judged).containsExactly("apply e-2", "apply f-2");
        assertThat(lot.keys()).isZero();
    }

    private ParkingLot oneSlotLot() {
        AuthorizationSettings oneSlot = AuthorizationSettings.from(PipelineConfig.defaults().with(ParkingTopologyTest.config(
                Map.of(dev.pipeline.config.PolicyKeys.EXTERNAL_CALL_MAX_CONCURRENCY_CONFIG, 1))));
        ParkingLot lot = new ParkingLot(oneSlot, store, new AuthorizationCalls(authorizer, parking.breaker(),
                metrics.externalCall(OrdersPipeline.NAME), oneSlot.maxInFlight()), judge, metrics, OrdersPipeline.NAME, 100,
                parking.sizes.share());
        lot.init();
        return lot;
    }

    @Test
    void shouldSendAQueuedCallFromTheThreadThatEndsTheLastOneWithoutTheStreamThread() {
        ParkingLot lot = oneSlotLot();
        authorizer.script = r -> null;
        lot.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0);
        lot.park("o-2", parked(event("f-2", "o-2", OrderEventType.PAID), 2), 0); // the slot is taken: queued

        authorizer.complete("e-2", Verdict.APPROVED); // no drain, no tick

        assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2", "f-2");
        assertThat(judged).isEmpty();
        authorizer.complete("f-2", Verdict.APPROVED);
        lot.drain(1);
        assertThat(judged).containsExactly("apply e-2", "apply f-2");
    }

    @Test
    void shouldKeepAQueuedCallTheBreakerRefusesParkedUnsentAndNotCountedAsAnAttempt() {
        ParkingLot lot = oneSlotLot();
        authorizer.script = r -> null;
        lot.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0);
        lot.park("o-2", parked(event("f-2", "o-2", OrderEventType.PAID), 2), 0); // queued
        parking.breaker().transitionToForcedOpenState();

        authorizer.complete("e-2", Verdict.APPROVED); // frees the slot: the breaker refuses f-2
        lot.drain(1);

        assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2");
        assertThat(judged).containsExactly("apply e-2");
        assertThat(store.get("o-2")).singleElement().extracting(ParkedEvent::attempts).isEqualTo(0);

        parking.breaker().transitionToClosedState();
        authorizer.script = r -> Verdict.APPROVED;
        lot.tick(10_000);
        assertThat(judged).containsExactly("apply e-2", "apply f-2");
    }

    @Test
    void shouldParkWithoutCallingWhileTheBreakerIsOpen() {
        parking.breaker().transitionToForcedOpenState();
        ParkingLot lot = lot();
        lot.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0);
        lot.tick(50);

        assertThat(authorizer.calls).isEmpty();
        assertThat(judged).isEmpty();
        assertThat(lot.records()).isEqualTo(1);

        parking.breaker().transitionToClosedState();
        lot.tick(10_000);
        assertThat(judged).containsExactly("apply e-2");
    }

    @Test
    void shouldDeadLetterAsCircuitOpenWhenThePolicySaysSo() {
        AuthorizationSettings deadLetter = AuthorizationSettings.from(PipelineConfig.defaults().with(
                ParkingTopologyTest.config(Map.of(dev.pipeline.config.PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG,
                        "DEAD_LETTER"))));
        Parking p = new Parking(deadLetter, metrics, task -> authorizer);
        p.breaker().transitionToForcedOpenState();
        ParkingLot lot = new ParkingLot(deadLetter, store, new AuthorizationCalls(authorizer, p.breaker(),
                metrics.externalCall(OrdersPipeline.NAME), 4), judge, metrics, OrdersPipeline.NAME, 100, p.sizes.share());
        lot.init();

        lot.park("o-1", parked(event("e-2", "o-1", OrderEventType.PAID), 1), 0);

        assertThat(judged).containsExactly("circuit_open e-2 x1");
        assertThat(lot.isParked("o-1")).isFalse(); // so the order's next event is judged at once
        assertThat(authorizer.calls).isEmpty();
    }
}
