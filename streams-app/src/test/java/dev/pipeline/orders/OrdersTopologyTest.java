package dev.pipeline.orders;

import static dev.pipeline.orders.OrdersDriver.event;
import static dev.pipeline.orders.OrdersDriver.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.OrdersKeys;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class OrdersTopologyTest {
    @TempDir
    Path stateDir;

    /** The order's status before the event under test, and the events that lead there. */
    enum Prior {
        NONE(),
        CREATED(OrderEventType.CREATED),
        PAID(OrderEventType.CREATED, OrderEventType.PAID),
        SHIPPED(OrderEventType.CREATED, OrderEventType.PAID, OrderEventType.SHIPPED),
        CANCELLED(OrderEventType.CREATED, OrderEventType.CANCELLED);

        final OrderEventType[] path;

        Prior(OrderEventType... path) {
            this.path = path;
        }
    }

    /** Written out by hand from the issue, not derived from the production table. */
    static Stream<Arguments> everyTransition() {
        List<Arguments> all = new ArrayList<>();
        for (Prior prior : Prior.values()) {
            for (OrderEventType e : OrderEventType.values()) {
                OrderStatus expected = switch (prior.name() + ">" + e.name()) {
                    case "NONE>CREATED" -> OrderStatus.CREATED;
                    case "CREATED>PAID" -> OrderStatus.PAID;
                    case "CREATED>CANCELLED", "PAID>CANCELLED" -> OrderStatus.CANCELLED;
                    case "PAID>SHIPPED" -> OrderStatus.SHIPPED;
                    default -> null;
                };
                all.add(Arguments.of(prior, e, expected));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @MethodSource("everyTransition")
    void shouldApplyAllowedAndDeadLetterForbiddenTransitions(Prior prior, OrderEventType type, OrderStatus expected) {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            int i = 0;
            for (OrderEventType step : prior.path) {
                d.send(event("e-" + i++, "o-1", step), i);
            }
            assertThat(d.readResults()).hasSize(prior.path.length);

            OrderEvent probe = event("probe", "o-1", type);
            d.send(probe, 100);

            List<OrderResult> results = d.readResults();
            List<TestRecord<byte[], byte[]>> dlq = d.readDlq();
            if (expected != null) {
                assertThat(dlq).isEmpty();
                assertThat(results).singleElement().satisfies(r -> {
                    assertThat(r.getStatus()).isEqualTo(expected);
                    assertThat(r.getVersion()).isEqualTo(prior.path.length + 1);
                    assertThat(r.getLastEventId()).isEqualTo("probe");
                    assertThat(r.getAmountCents()).isEqualTo(1_250);
                });
            } else {
                assertThat(results).isEmpty();
                assertThat(dlq).singleElement().satisfies(r -> {
                    assertThat(reason(r)).isEqualTo("invalid_transition");
                    assertThat(DeadLetters.header(r.headers(), DeadLetters.PIPELINE)).isEqualTo("orders");
                    assertThat(new String(r.key())).isEqualTo("o-1");
                    // DLQ value = the bytes the producer wrote
                    assertThat(r.value()).isEqualTo(d.eventSerde.serializer().serialize("orders", probe));
                });
            }
        }
    }

    @Test
    void shouldEmitOneResultPerAppliedEventWithVersionAndLastEventId() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            d.send(event("a", "o-1", OrderEventType.CREATED), 1);
            d.send(event("b", "o-1", OrderEventType.PAID), 2);
            d.send(event("c", "o-1", OrderEventType.SHIPPED), 3);

            assertThat(d.readResults()).extracting(OrderResult::getStatus, OrderResult::getVersion, OrderResult::getLastEventId)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(OrderStatus.CREATED, 1, "a"),
                            org.assertj.core.groups.Tuple.tuple(OrderStatus.PAID, 2, "b"),
                            org.assertj.core.groups.Tuple.tuple(OrderStatus.SHIPPED, 3, "c"));
        }
    }

    @Test
    void shouldSuppressSameEventIdSentTwice() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            OrderEvent created = event("e-1", "o-1", OrderEventType.CREATED);
            d.send(created, 1);
            d.send(created, 2);

            assertThat(d.readResults()).hasSize(1);
            assertThat(d.duplicatesCounted()).isEqualTo(1.0);
            assertThat(d.readDlq()).as("duplicates are counted, not dead-lettered").isEmpty();
            d.advanceWallClock(Duration.ofSeconds(10));
            assertThat(d.conservation()).containsEntry("droppedByReason", Map.of("duplicate", 1L));
        }
    }

    @Test
    void shouldJudgeResendOfRejectedEventAgain() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            OrderEvent paid = event("p", "o-1", OrderEventType.PAID);
            d.send(paid, 1);
            d.send(event("c", "o-1", OrderEventType.CREATED), 2);
            d.send(paid, 3);

            assertThat(d.readResults()).extracting(OrderResult::getStatus).containsExactly(OrderStatus.CREATED, OrderStatus.PAID);
            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("invalid_transition");
            assertThat(d.duplicatesCounted()).isZero();
        }
    }

    @Test
    void shouldDeadLetterTheProducersOwnBytesAndNeverRegisterUnderTheInputSubject() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            // another producer's serializer: its schema id is registered under another subject
            var foreign = new dev.pipeline.kafka.serde.AvroSerde<>(d.registry(), OrderEvent.class);
            byte[] created = foreign.serialize("elsewhere", event("c", "o-1", OrderEventType.CREATED));
            byte[] shipped = foreign.serialize("elsewhere", event("s", "o-1", OrderEventType.SHIPPED));
            var raw = d.rawInput();
            raw.pipeInput("o-1", created, OrdersDriver.START.toEpochMilli());
            raw.pipeInput("o-1", shipped, OrdersDriver.START.toEpochMilli() + 1);

            assertThat(d.readResults()).hasSize(1);
            assertThat(d.readDlq()).singleElement().satisfies(r -> {
                assertThat(reason(r)).isEqualTo("invalid_transition");
                assertThat(r.value()).as("byte for byte, schema id included").isEqualTo(shipped);
            });
            assertThat(d.registry().subjects()).doesNotContain("orders-value");
        }
    }

    @Test
    void shouldWriteTheWriteBackMapToTheChangelogAtEveryCommit() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            var changelog = d.driver.createOutputTopic("pipeline-orders-" + OrdersPipeline.ORDERS_STORE + "-changelog",
                    new org.apache.kafka.common.serialization.StringDeserializer(), new OrderStateSerde());
            d.send(event("a", "o-1", OrderEventType.CREATED), 1); // the driver commits after every record
            d.send(event("b", "o-1", OrderEventType.PAID), 2);

            assertThat(changelog.readKeyValuesToList()).extracting(kv -> kv.key, kv -> kv.value.status())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("o-1", OrderStatus.CREATED),
                            org.assertj.core.groups.Tuple.tuple("o-1", OrderStatus.PAID));
        }
    }

    @Test
    void shouldForgetDedupEntriesAfterTtlInStreamTime() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.DEDUP_TTL_MS_CONFIG, 1_000,
                OrdersKeys.DEDUP_TTL_CLOCK_CONFIG, "stream"))) {
            OrderEvent created = event("e-1", "o-1", OrderEventType.CREATED);
            d.send(created, 0);
            d.send(created, 999);
            assertThat(d.duplicatesCounted()).as("inside the TTL").isEqualTo(1.0);

            d.advanceWallClock(Duration.ofHours(1));
            d.send(created, 999);
            assertThat(d.duplicatesCounted()).as("wall time does not age stream-time entries").isEqualTo(2.0);

            d.send(event("x-1", "o-2", OrderEventType.CREATED), 1_000); // stream time reaches seen + TTL
            d.send(created, 1_001);
            assertThat(d.duplicatesCounted()).as("no longer a duplicate").isEqualTo(2.0);
            assertThat(d.readDlq()).as("but the state machine still refuses it").extracting(OrdersDriver::reason)
                    .containsExactly("invalid_transition");
            assertThat(d.readResults()).hasSize(2);
        }
    }

    @Test
    void shouldForgetDedupEntriesAfterTtlInWallTime() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.DEDUP_TTL_MS_CONFIG, 10_000,
                OrdersKeys.DEDUP_TTL_CLOCK_CONFIG, "wall", OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 86_400_000))) {
            OrderEvent created = event("e-1", "o-1", OrderEventType.CREATED);
            d.send(created, 0);
            d.send(event("x-1", "o-2", OrderEventType.CREATED), 3_600_000); // stream time moves, wall time does not
            d.send(created, 3_600_001);
            assertThat(d.duplicatesCounted()).as("stream time does not age wall-time entries").isEqualTo(1.0);

            d.advanceWallClock(Duration.ofMillis(10_000));
            d.send(created, 3_600_002);
            assertThat(d.duplicatesCounted()).isEqualTo(1.0);
            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("invalid_transition");
        }
    }

    @Test
    void shouldKeepAtMostTheAppliedIdsOfOneOrderInsideItsState() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.DEDUP_TTL_MS_CONFIG, 100))) {
            d.send(event("a", "o-1", OrderEventType.CREATED), 0);
            d.send(event("b", "o-1", OrderEventType.PAID), 50);
            d.send(event("c", "o-1", OrderEventType.SHIPPED), 120); // "a" is past the TTL now: pruned
            d.send(event("b", "o-1", OrderEventType.PAID), 121);

            assertThat(d.ordersStore().get("o-1").applied()).extracting(OrderState.Applied::eventId)
                    .containsExactly("b", "c");
            assertThat(d.duplicatesCounted()).as("b is inside the TTL").isEqualTo(1.0);
            assertThat(d.count(OrdersPipeline.ORDERS_STORE)).as("no store keyed by event id").isEqualTo(1);
        }
    }

    @Test
    void shouldDeleteTerminalOrdersOnceRetentionPassesAtMostScanMaxPerTick() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.RETENTION_MS_CONFIG, 1_000,
                OrdersKeys.DEDUP_TTL_MS_CONFIG, 1_000, OrdersKeys.EXPIRY_SCAN_MAX_CONFIG, 2))) {
            for (int i = 0; i < 5; i++) {
                d.send(event("c-" + i, "o-" + i, OrderEventType.CREATED), i);
                d.send(event("x-" + i, "o-" + i, OrderEventType.CANCELLED), 10 + i);
            }
            d.send(event("p-1", "o-paid", OrderEventType.CREATED), 20);
            d.send(event("p-2", "o-paid", OrderEventType.PAID), 30);
            d.tick();
            assertThat(d.count(OrdersPipeline.ORDERS_STORE)).as("retention not reached").isEqualTo(6);
            assertThat(d.count(OrdersPipeline.RETENTION_STORE)).as("the five ended orders share one chunk").isEqualTo(1);
            double gaugeBefore = storeEntriesGauge(d, OrdersPipeline.ORDERS_STORE);

            d.send(event("clock", "o-clock", OrderEventType.CREATED), 1_100); // stream time passes every retention
            List<Long> orders = new ArrayList<>();
            for (int tick = 0; tick < 4; tick++) {
                d.tick();
                orders.add(d.count(OrdersPipeline.ORDERS_STORE));
            }
            // 7 orders; the 5 cancelled ones leave, 2 per tick; the paid one (open) and the clock stay
            assertThat(orders).containsExactly(5L, 3L, 2L, 2L);
            assertThat(d.ordersStore().get("o-paid")).isNotNull();
            assertThat(d.count(OrdersPipeline.RETENTION_STORE)).isZero();
            assertThat(d.count(OrdersPipeline.DEADLINES_STORE)).as("only the unpaid clock order").isEqualTo(1);
            assertThat(gaugeBefore).isEqualTo(6.0);
            assertThat(storeEntriesGauge(d, OrdersPipeline.ORDERS_STORE)).as("the gauge counts the orders exactly")
                    .isEqualTo(2.0);
            assertThat(d.pipeline.status()).extractingByKey("storeEntries").asInstanceOf(
                    org.assertj.core.api.InstanceOfAssertFactories.MAP).containsOnlyKeys(OrdersPipeline.ORDERS_STORE,
                    OrdersPipeline.DEADLINES_STORE, OrdersPipeline.RETENTION_STORE, "orders-ledger",
                    OrdersPipeline.COUNTS_STORE).containsEntry(OrdersPipeline.ORDERS_STORE, 2L);

            d.readResults();
            d.send(event("x-0", "o-0", OrderEventType.CANCELLED), 1_200);
            d.send(event("c-0", "o-0", OrderEventType.CREATED), 1_201);
            assertThat(d.readDlq()).as("a deleted order is unknown").extracting(OrdersDriver::reason)
                    .containsExactly("invalid_transition");
            assertThat(d.readResults()).as("a resent CREATED starts it again").singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(OrderStatus.CREATED);
                assertThat(r.getVersion()).isEqualTo(1);
            });
        }
    }

    @Test
    void shouldDeleteExpiredOrdersOnceRetentionPassesTheirDeadline() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.RETENTION_MS_CONFIG, 1_000,
                OrdersKeys.DEDUP_TTL_MS_CONFIG, 1_000, OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 500))) {
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 0);
            d.send(event("z-1", "o-z", OrderEventType.CREATED), 600);
            d.tick();
            assertThat(d.readResults()).extracting(OrderResult::getStatus).containsExactly(OrderStatus.CREATED,
                    OrderStatus.CREATED, OrderStatus.EXPIRED);
            assertThat(d.ordersStore().get("o-a").status()).isEqualTo(OrderStatus.EXPIRED);

            d.send(event("y-1", "o-y", OrderEventType.CREATED), 1_499);
            d.tick();
            assertThat(d.ordersStore().get("o-a")).as("deadline 500 + retention 1000 not reached").isNotNull();
            d.send(event("w-1", "o-w", OrderEventType.CREATED), 1_500);
            d.tick();
            assertThat(d.ordersStore().get("o-a")).isNull();
        }
    }

    private static double storeEntriesGauge(OrdersDriver d, String store) {
        return d.metrics.registry().get(dev.pipeline.observe.MetricNames.STORE_ENTRIES).tag("pipeline", "orders")
                .tag("store", store).gauge().value();
    }

    @Test
    void shouldExpireUnpaidOrderOnceAndDeadLetterLaterPayment() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 1_000))) {
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 0);
            d.send(event("b-1", "o-b", OrderEventType.CREATED), 500);
            d.send(event("b-2", "o-b", OrderEventType.PAID), 600);
            d.tick();
            assertThat(d.readResults()).extracting(OrderResult::getStatus)
                    .containsExactly(OrderStatus.CREATED, OrderStatus.CREATED, OrderStatus.PAID);

            d.send(event("c-1", "o-c", OrderEventType.CREATED), 1_000); // stream time reaches o-a's deadline
            d.tick();
            d.tick();
            List<OrderResult> after = d.readResults();
            assertThat(after).extracting(OrderResult::getOrderId, OrderResult::getStatus).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("o-c", OrderStatus.CREATED),
                    org.assertj.core.groups.Tuple.tuple("o-a", OrderStatus.EXPIRED));
            OrderResult expired = after.get(1);
            assertThat(expired.getVersion()).as("expiry is not an applied event").isEqualTo(1);
            assertThat(expired.getLastEventId()).isEqualTo("a-1");
            assertThat(expired.getUpdatedAt().toEpochMilli()).isEqualTo(OrdersDriver.START.toEpochMilli() + 1_000);

            d.send(event("a-2", "o-a", OrderEventType.PAID), 1_100);
            assertThat(d.readResults()).isEmpty();
            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("expired");
        }
    }

    @Test
    void shouldExpireOnArrivalWhenPunctuatorHasNotRunYet() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 1_000))) {
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 0);
            d.send(event("a-2", "o-a", OrderEventType.PAID), 1_000); // the payment itself brings stream time to the deadline

            assertThat(d.readResults()).extracting(OrderResult::getStatus)
                    .containsExactly(OrderStatus.CREATED, OrderStatus.EXPIRED);
            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("expired");
            d.tick();
            assertThat(d.readResults()).as("emitted once").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(OrderEventType.class)
    void shouldDeadLetterEveryEventAfterExpiryAsExpired(OrderEventType type) {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 1_000))) {
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 0);
            d.send(event("z-1", "o-z", OrderEventType.CREATED), 5_000);
            d.tick();
            d.readResults();
            d.send(event("late", "o-a", type), 5_001);
            assertThat(d.readResults()).isEmpty();
            assertThat(d.readDlq()).extracting(OrdersDriver::reason).containsExactly("expired");
        }
    }

    @Test
    void shouldNotExpirePaidOrCancelledOrders() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 1_000))) {
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 0);
            d.send(event("a-2", "o-a", OrderEventType.PAID), 10);
            d.send(event("b-1", "o-b", OrderEventType.CREATED), 0);
            d.send(event("b-2", "o-b", OrderEventType.CANCELLED), 10);
            d.send(event("z-1", "o-z", OrderEventType.CREATED), 5_000);
            d.tick();
            assertThat(d.readResults()).extracting(OrderResult::getStatus).doesNotContain(OrderStatus.EXPIRED);
            d.send(event("a-3", "o-a", OrderEventType.SHIPPED), 5_001);
            assertThat(d.readResults()).extracting(OrderResult::getStatus).containsExactly(OrderStatus.SHIPPED);
        }
    }

    @Test
    void shouldExpireAtMostScanMaxOrdersPerTick() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 1_000,
                OrdersKeys.EXPIRY_SCAN_MAX_CONFIG, 2))) {
            for (int i = 0; i < 5; i++) {
                d.send(event("e-" + i, "o-" + i, OrderEventType.CREATED), i);
            }
            d.send(event("z", "o-z", OrderEventType.CREATED), 2_000);
            d.readResults();
            List<Integer> expiredPerTick = new ArrayList<>();
            for (int tick = 0; tick < 4; tick++) {
                d.tick();
                expiredPerTick.add(d.readResults().size());
            }
            assertThat(expiredPerTick).containsExactly(2, 2, 1, 0);
        }
    }

    static Stream<Arguments> invalidContent() {
        OrderEvent valid = event("e", "o-1", OrderEventType.CREATED);
        return Stream.of(
                Arguments.of("non-positive amount on CREATED", OrderEvent.newBuilder(valid).setAmountCents(0).build(), "o-1"),
                Arguments.of("negative amount on PAID", OrderEvent.newBuilder(event("e", "o-1", OrderEventType.PAID))
                        .setAmountCents(-1).build(), "o-1"),
                Arguments.of("lower-case currency", OrderEvent.newBuilder(valid).setCurrency("eur").build(), "o-1"),
                Arguments.of("four-letter currency", OrderEvent.newBuilder(valid).setCurrency("EURO").build(), "o-1"),
                Arguments.of("blank eventId", event(" ", "o-1", OrderEventType.CREATED), "o-1"),
                Arguments.of("empty orderId and key", event("e", "", OrderEventType.CREATED), ""),
                Arguments.of("blank customerId", OrderEvent.newBuilder(valid).setCustomerId("  ").build(), "o-1"),
                Arguments.of("oversized customerId", OrderEvent.newBuilder(valid).setCustomerId("c".repeat(40_000)).build(), "o-1"),
                Arguments.of("event time before the epoch", OrderEvent.newBuilder(valid)
                        .setTimestamp(java.time.Instant.ofEpochMilli(-1)).build(), "o-1"),
                Arguments.of("key is not the orderId", valid, "o-2"),
                Arguments.of("tombstone", null, "o-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidContent")
    void shouldDeadLetterInvalidInputWithOriginalBytesAsProcessing(String why, OrderEvent e, String key) {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            d.input.pipeInput(key, e, OrdersDriver.START.toEpochMilli());
            assertThat(d.readResults()).isEmpty();
            assertThat(d.readDlq()).singleElement().satisfies(r -> {
                assertThat(reason(r)).isEqualTo("processing");
                assertThat(DeadLetters.header(r.headers(), DeadLetters.PIPELINE)).isEqualTo("orders");
                assertThat(DeadLetters.header(r.headers(), DeadLetters.MESSAGE)).isNotBlank();
                assertThat(DeadLetters.header(r.headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("orders");
                assertThat(r.value()).as("the original bytes").isEqualTo(d.eventSerde.serializer().serialize("orders", e));
            });
            d.advanceWallClock(Duration.ofSeconds(10));
            assertThat(d.conservation()).as("rejected before the ledger").containsEntry("in", 0L).containsEntry("holds", true);
        }
    }

    @Test
    void shouldKeepLedgerBalancedAndReportItInStatus() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, 1_000,
                "conservation.check.interval.ms", 1_000))) {
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 0);   // out
            d.send(event("a-1", "o-a", OrderEventType.CREATED), 1);   // duplicate
            d.send(event("a-2", "o-a", OrderEventType.SHIPPED), 2);   // invalid_transition
            d.send(OrderEvent.newBuilder(event("b-1", "o-b", OrderEventType.CREATED)).setCurrency("x").build(), 3); // rejected: outside
            d.send(event("c-1", "o-c", OrderEventType.CREATED), 4);   // out
            d.send(event("c-2", "o-c", OrderEventType.PAID), 5_000);  // expired (+ EXPIRED results, not counted)
            d.tick();

            assertThat(d.conservation()).containsEntry("in", 5L).containsEntry("out", 2L).containsEntry("dlq", 2L)
                    .containsEntry("dropped", 1L).containsEntry("buffered", 0L).containsEntry("holds", true)
                    .containsEntry("imbalance", 0L)
                    .containsEntry("droppedByReason", Map.of("duplicate", 1L, "invalid_transition", 1L, "expired", 1L));
            assertThat(d.readDlq()).extracting(OrdersDriver::reason)
                    .containsExactlyInAnyOrder("invalid_transition", "processing", "expired");
            assertThat(d.pipeline.status()).containsEntry("processingGuarantee", "exactly_once_v2");
        }
    }
}
