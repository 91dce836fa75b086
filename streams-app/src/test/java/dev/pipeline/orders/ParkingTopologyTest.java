package dev.pipeline.orders;

import static dev.pipeline.orders.OrdersDriver.event;
import static dev.pipeline.orders.OrdersDriver.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.orders.Authorizer.Verdict;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payment authorization with parking, in the TopologyTestDriver, with {@link FakeAuthorizer} and the driver's wall clock. */
class ParkingTopologyTest {
    private static final long BACKOFF_MS = 100;

    @TempDir
    Path stateDir;

    final FakeAuthorizer authorizer = new FakeAuthorizer();

    /** Authorization on; backoff 100, 200, 400 ms without jitter; 3 attempts; a breaker that does not open. */
    static Map<String, Object> config(Map<String, ?> more) {
        Map<String, Object> m = new HashMap<>(Map.of(
                OrdersKeys.AUTHORIZATION_URL_CONFIG, "http://authorizer.invalid/authorize",
                OrdersKeys.AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG, BACKOFF_MS,
                OrdersKeys.AUTHORIZATION_BACKOFF_MAX_MS_CONFIG, 1_000L,
                OrdersKeys.AUTHORIZATION_MAX_ATTEMPTS_CONFIG, 3,
                PolicyKeys.EXTERNAL_RETRY_JITTER_CONFIG, 0.0,
                PolicyKeys.EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG, 10_000,
                PolicyKeys.EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG, 10_000));
        m.putAll(more);
        return m;
    }

    private OrdersDriver driver(Map<String, ?> more) {
        return new OrdersDriver(stateDir, config(more), authorizer);
    }

    static List<String> statuses(List<OrderResult> results) {
        return results.stream().map(r -> r.getOrderId() + ":" + r.getStatus() + ":v" + r.getVersion()).toList();
    }

    @Test
    void shouldApplyApprovedPaymentAndSendTheEventToTheAuthorizer() {
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);

            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-1:PAID:v2");
            assertThat(d.readDlq()).isEmpty();
            assertThat(authorizer.calls).singleElement().isEqualTo(
                    new Authorizer.Request("e-2", "o-1", "customer-1", 1_250, "EUR"));
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isZero();
            assertThat(d.count(OrdersPipeline.PARKED_STORE)).isZero();
        }
    }

    @Test
    void shouldDeadLetterRefusedPaymentAsRejectedWithOriginalBytesAndKeepOrderCreated() {
        authorizer.script = r -> Verdict.REFUSED;
        try (OrdersDriver d = driver(Map.of())) {
            OrderEvent paid = event("e-2", "o-1", OrderEventType.PAID);
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(paid, 1);
            d.send(event("e-3", "o-1", OrderEventType.SHIPPED), 2);

            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1");
            List<TestRecord<byte[], byte[]>> dlq = d.readDlq();
            assertThat(dlq).extracting(OrdersDriver::reason).containsExactly("rejected", "invalid_transition");
            assertThat(dlq.get(0).value()).isEqualTo(d.eventSerde.serializer().serialize("orders", paid));
            assertThat(d.ordersStore().get("o-1").status()).isEqualTo(OrderStatus.CREATED);
        }
    }

    @Test
    void shouldParkOnRetryableFailureAndApplyWhenARetrySucceeds() {
        AtomicInteger n = new AtomicInteger();
        authorizer.script = r -> n.incrementAndGet() == 1 ? Verdict.RETRYABLE : Verdict.APPROVED;
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1");
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isEqualTo(1.0);
            assertThat(d.meter(MetricNames.PARKED_KEYS)).isEqualTo(1.0);

            d.advanceWallClock(Duration.ofMillis(BACKOFF_MS));

            assertThat(statuses(d.readResults())).containsExactly("o-1:PAID:v2");
            assertThat(authorizer.callsFor("e-2")).isEqualTo(2);
            assertThat(d.metrics.retries(OrdersPipeline.NAME).count()).isEqualTo(1.0);
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isZero();
            assertThat(d.readDlq()).isEmpty();
        }
    }

    @Test
    void shouldDeadLetterAsRetriesExhaustedWithAttemptsAfterMaxAttempts() {
        authorizer.script = r -> Verdict.RETRYABLE;
        try (OrdersDriver d = driver(Map.of())) {
            OrderEvent paid = event("e-2", "o-1", OrderEventType.PAID);
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(paid, 1);
            d.send(event("e-3", "o-1", OrderEventType.CANCELLED), 2); // waits behind, then judged on its own
            d.advanceWallClock(Duration.ofMillis(BACKOFF_MS));     // attempt 2
            assertThat(d.readDlq()).isEmpty();
            d.advanceWallClock(Duration.ofMillis(2 * BACKOFF_MS)); // attempt 3, the last

            List<TestRecord<byte[], byte[]>> dlq = d.readDlq();
            assertThat(dlq).extracting(OrdersDriver::reason).containsExactly("retries_exhausted");
            assertThat(DeadLetters.header(dlq.get(0).headers(), DeadLetters.ATTEMPTS)).isEqualTo("3");
            assertThat(dlq.get(0).value()).isEqualTo(d.eventSerde.serializer().serialize("orders", paid));
            assertThat(authorizer.callsFor("e-2")).isEqualTo(3);
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-1:CANCELLED:v2");
            assertThat(d.count(OrdersPipeline.PARKED_STORE)).isZero();
        }
    }

    @Test
    void shouldKeepLaterEventsOfAParkedOrderBehindItInOrder() {
        authorizer.script = r -> null; // hold every call
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            d.send(event("e-3", "o-1", OrderEventType.SHIPPED), 2);
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1");
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isEqualTo(2.0);
            assertThat(d.meter(MetricNames.PARKED_KEYS)).isEqualTo(1.0);
            assertThat(d.pipeline.status().get("authorization")).asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("parkedRecords", 2L)
                    .containsEntry("parkedKeys", 1L).containsEntry("circuitState", "CLOSED");

            authorizer.complete("e-2", Verdict.APPROVED);
            d.advanceWallClock(Duration.ofMillis(BACKOFF_MS)); // the stream thread drains the answer

            assertThat(statuses(d.readResults())).containsExactly("o-1:PAID:v2", "o-1:SHIPPED:v3");
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isZero();
            assertThat(d.readDlq()).isEmpty();
        }
    }

    @Test
    void shouldLetOtherOrdersFlowWhileOneIsParked() {
        authorizer.script = r -> r.orderId().equals("o-1") ? null : Verdict.APPROVED;
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            d.send(event("f-1", "o-2", OrderEventType.CREATED), 2);
            d.send(event("f-2", "o-2", OrderEventType.PAID), 3);
            d.send(event("f-3", "o-2", OrderEventType.SHIPPED), 4);

            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-2:CREATED:v1", "o-2:PAID:v2",
                    "o-2:SHIPPED:v3");
            assertThat(d.meter(MetricNames.PARKED_KEYS)).isEqualTo(1.0);
        }
    }

    @Test
    void shouldDropNewEventsOfParkedOrdersAsOverflowBeyondTheBound() {
        authorizer.script = r -> null;
        try (OrdersDriver d = driver(Map.of(OrdersKeys.PARKING_MAX_RECORDS_CONFIG, 2))) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);     // parked: 1
            d.send(event("e-3", "o-1", OrderEventType.SHIPPED), 2);  // parked: 2
            d.send(event("e-4", "o-1", OrderEventType.CANCELLED), 3); // over the bound
            d.send(event("f-1", "o-2", OrderEventType.CREATED), 4);
            d.send(event("f-2", "o-2", OrderEventType.PAID), 5);      // would park: over the bound

            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("overflow", "overflow");
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isEqualTo(2.0);
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-2:CREATED:v1");
        }
    }

    @Test
    void shouldCountADuplicateOfAParkedEventOnce() {
        authorizer.script = r -> null;
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 2);

            assertThat(d.duplicatesCounted()).isEqualTo(1.0);
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isEqualTo(1.0);
            assertThat(authorizer.callsFor("e-2")).isEqualTo(1);
        }
    }

    @Test
    void shouldKeepTheLedgerBalancedWithParkedEventsInFlight() {
        authorizer.script = r -> null;
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            d.send(event("e-3", "o-1", OrderEventType.SHIPPED), 2);
            d.advanceWallClock(d.pipeline.settings().conservationInterval());

            assertThat(d.conservation()).containsEntry("in", 3L).containsEntry("out", 1L).containsEntry("buffered", 2L)
                    .containsEntry("holds", true);
        }
    }

    /** A breaker that opens on the first failed call (and stays open for the test: 10 min). */
    static Map<String, Object> breakerOpensAtOnce(Map<String, Object> more) {
        Map<String, Object> m = new HashMap<>(Map.of(PolicyKeys.EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG, 1,
                PolicyKeys.EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG, 1, PolicyKeys.EXTERNAL_CIRCUIT_OPEN_WAIT_MS_CONFIG, 600_000));
        m.putAll(more);
        return m;
    }

    @Test
    void shouldParkWithoutCallingWhileTheBreakerIsOpenWhenThePolicyIsLeftAtItsDefault() {
        authorizer.script = r -> Verdict.RETRYABLE; // o-1's failure opens the breaker
        try (OrdersDriver d = driver(breakerOpensAtOnce(Map.of()))) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            d.send(event("f-1", "o-2", OrderEventType.CREATED), 2);
            d.send(event("f-2", "o-2", OrderEventType.PAID), 3);     // breaker open: parks, no call
            d.send(event("f-3", "o-2", OrderEventType.SHIPPED), 4);  // waits behind it
            d.advanceWallClock(Duration.ofMillis(10 * BACKOFF_MS)); // due again: still open, still no call

            assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2");
            assertThat(d.readDlq()).isEmpty();
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-2:CREATED:v1");
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isEqualTo(3.0);
            assertThat(d.meter(MetricNames.PARKED_KEYS)).isEqualTo(2.0);
            assertThat(d.meter(MetricNames.CIRCUIT_STATE)).isEqualTo(2.0);
        }
    }

    @Test
    void shouldDeadLetterAsCircuitOpenWhileTheBreakerIsOpenOnlyWhenDeadLetterIsSetExplicitly() {
        authorizer.script = r -> Verdict.RETRYABLE;
        try (OrdersDriver d = driver(breakerOpensAtOnce(
                Map.of(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG, "DEAD_LETTER")))) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);     // fails: parked, breaker opens
            d.send(event("f-1", "o-2", OrderEventType.CREATED), 2);
            OrderEvent paid = event("f-2", "o-2", OrderEventType.PAID);
            d.send(paid, 3);                                          // breaker open: dead-lettered at once
            d.send(event("f-3", "o-2", OrderEventType.CANCELLED), 4); // not parked behind it: applied

            List<TestRecord<byte[], byte[]>> dlq = d.readDlq();
            assertThat(dlq).extracting(OrdersDriver::reason).containsExactly("circuit_open");
            assertThat(dlq.get(0).value()).isEqualTo(d.eventSerde.serializer().serialize("orders", paid));
            assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2");
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-2:CREATED:v1",
                    "o-2:CANCELLED:v2");
            assertThat(d.meter(MetricNames.PARKED_KEYS)).isEqualTo(1.0);
        }
    }

    @Test
    void shouldAddNoParkingStoreWhenAuthorizationIsOff() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            assertThat(d.driver.getAllStateStores()).doesNotContainKey(OrdersPipeline.PARKED_STORE);
            assertThat(d.pipeline.status().get("authorization")).asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("enabled", false)
                    .containsEntry("parkedRecords", 0L).containsEntry("parkedKeys", 0L).doesNotContainKey("url");
        }
    }
}
