package dev.pipeline.orders;

import static dev.pipeline.orders.OrdersDriver.event;
import static dev.pipeline.orders.ParkingTopologyTest.breakerOpensAtOnce;
import static dev.pipeline.orders.ParkingTopologyTest.config;
import static dev.pipeline.orders.ParkingTopologyTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.config.OrdersKeys;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.orders.Authorizer.Verdict;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full parking lot in the TopologyTestDriver: with a healthy service the stream thread waits for
 * answers (backpressure) and drops nothing; with a stuck service or an open breaker it drops
 * {@code overflow}, waiting at most once.
 */
class ParkingBackpressureTest {
    private static final int ORDERS = 6;

    @TempDir
    Path stateDir;

    final FakeAuthorizer authorizer = new FakeAuthorizer();

    /** A lot of 2 events; the full-lot wait min(timeout, transaction timeout / 10) = 1,000 ms. */
    private OrdersDriver driver(Map<String, Object> more) {
        Map<String, Object> m = new HashMap<>(Map.of(OrdersKeys.PARKING_MAX_RECORDS_CONFIG, 2,
                OrdersKeys.AUTHORIZATION_TIMEOUT_MS_CONFIG, 2_000, OrdersKeys.TRANSACTION_TIMEOUT_MS_CONFIG, 10_000));
        m.putAll(more);
        return new OrdersDriver(stateDir, config(m), authorizer);
    }

    @Test
    void shouldWaitForAHealthyServiceWhenTheLotIsFullAndDropNothing() {
        authorizer.answerAfterMs = 20;
        try (OrdersDriver d = driver(Map.of())) {
            long offset = 0;
            // in rounds: every PAID past the second and many SHIPPED (behind a parked PAID) find the lot full
            for (OrderEventType type : List.of(OrderEventType.CREATED, OrderEventType.PAID, OrderEventType.SHIPPED)) {
                for (int i = 1; i <= ORDERS; i++) {
                    d.send(event(type + "-" + i, "o-" + i, type), offset++);
                    assertThat(d.meter(MetricNames.PARKED_RECORDS)).isLessThanOrEqualTo(2.0);
                }
            }
            List<OrderResult> results = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                d.advanceWallClock(AuthorizationSettings.TICK);
                results.addAll(d.readResults());
                return d.meter(MetricNames.PARKED_RECORDS) == 0.0 && results.size() == 3 * ORDERS;
            });

            assertThat(d.readDlq()).isEmpty();
            assertThat(authorizer.calls).hasSize(ORDERS);
            for (int i = 1; i <= ORDERS; i++) {
                String o = "o-" + i;
                assertThat(statuses(results).stream().filter(s -> s.startsWith(o + ":")))
                        .containsExactly(o + ":CREATED:v1", o + ":PAID:v2", o + ":SHIPPED:v3");
            }
        }
    }

    @Test
    void shouldDropAsOverflowWhenTheServiceIsStuckWaitingOnlyOnce() {
        authorizer.script = r -> null; // calls never answer
        try (OrdersDriver d = driver(Map.of())) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);      // parked: 1
            d.send(event("e-3", "o-1", OrderEventType.SHIPPED), 2);   // parked: 2
            d.send(event("f-1", "o-2", OrderEventType.CREATED), 3);
            long t0 = System.nanoTime();
            d.send(event("f-2", "o-2", OrderEventType.PAID), 4);      // waits 1,000 ms for room, none frees
            d.send(event("e-4", "o-1", OrderEventType.CANCELLED), 5); // the lot is stalled: dropped at once
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("overflow", "overflow");
            assertThat(tookMs).as("one wait of 1,000 ms, not two").isBetween(1_000L, 1_900L);
            assertThat(d.meter(MetricNames.PARKED_RECORDS)).isEqualTo(2.0);
            assertThat(statuses(d.readResults())).containsExactly("o-1:CREATED:v1", "o-2:CREATED:v1");
        }
    }

    @Test
    void shouldDropAsOverflowAtOnceWhileTheBreakerIsOpen() {
        authorizer.script = r -> Verdict.RETRYABLE; // o-1's failure opens the breaker: no call in flight after it
        try (OrdersDriver d = driver(breakerOpensAtOnce(Map.of()))) {
            d.send(event("e-1", "o-1", OrderEventType.CREATED), 0);
            d.send(event("e-2", "o-1", OrderEventType.PAID), 1);
            d.send(event("e-3", "o-1", OrderEventType.SHIPPED), 2);
            d.send(event("f-1", "o-2", OrderEventType.CREATED), 3);
            long t0 = System.nanoTime();
            d.send(event("f-2", "o-2", OrderEventType.PAID), 4);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("overflow");
            assertThat(tookMs).as("no wait: nothing in flight could free room").isLessThan(900L);
            assertThat(authorizer.calls).extracting(Authorizer.Request::eventId).containsExactly("e-2");
            assertThat(d.meter(MetricNames.CIRCUIT_STATE)).isEqualTo(2.0);
        }
    }
}
