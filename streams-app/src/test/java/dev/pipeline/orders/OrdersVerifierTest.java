package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.orders.OrdersVerifier.Input;
import dev.pipeline.orders.OrdersVerifier.Output;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-built topics: the verifier must accept the right output and name every kind of wrong one. */
class OrdersVerifierTest {
    private static final long TIMEOUT = 1_000;

    private final List<Input> inputs = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();

    private void in(int partition, long ts, String eventId, String orderId, OrderEventType type) {
        OrderEvent e = OrderEvent.newBuilder().setEventId(eventId).setOrderId(orderId).setCustomerId("c")
                .setType(type).setAmountCents(500).setCurrency("USD").setTimestamp(Instant.ofEpochMilli(ts)).build();
        inputs.add(Input.of(partition, inputs.size(), ts, orderId, e));
    }

    private void out(String orderId, OrderStatus status, int version, String lastEventId) {
        outputs.add(new Output(0, outputs.size(), orderId, OrderResult.newBuilder().setOrderId(orderId).setCustomerId("c")
                .setStatus(status).setAmountCents(500).setCurrency("USD").setLastEventId(lastEventId).setVersion(version)
                .setUpdatedAt(Instant.EPOCH).build()));
    }

    /** o-1 created, paid, resent PAID (duplicate), shipped; o-2 cancelled; o-3 shipped before paid. */
    private void happyInputs() {
        in(0, 1, "a1", "o-1", OrderEventType.CREATED);
        in(0, 2, "a2", "o-1", OrderEventType.PAID);
        in(0, 3, "a2", "o-1", OrderEventType.PAID);
        in(0, 4, "a3", "o-1", OrderEventType.SHIPPED);
        in(1, 1, "b1", "o-2", OrderEventType.CREATED);
        in(1, 2, "b2", "o-2", OrderEventType.CANCELLED);
        in(1, 3, "c1", "o-3", OrderEventType.CREATED);
        in(1, 4, "c2", "o-3", OrderEventType.SHIPPED);
        in(1, 5, "c3", "o-3", OrderEventType.PAID);
    }

    private void happyOutputs() {
        out("o-1", OrderStatus.CREATED, 1, "a1");
        out("o-1", OrderStatus.PAID, 2, "a2");
        out("o-1", OrderStatus.SHIPPED, 3, "a3");
        out("o-2", OrderStatus.CREATED, 1, "b1");
        out("o-2", OrderStatus.CANCELLED, 2, "b2");
        out("o-3", OrderStatus.CREATED, 1, "c1");
        out("o-3", OrderStatus.PAID, 2, "c3");
    }

    private VerificationReport verify() {
        return OrdersVerifier.verify(inputs, outputs, OrdersVerifier.Rules.withPaymentTimeout(TIMEOUT));
    }

    @Test
    void shouldPassExactOutput() {
        happyInputs();
        happyOutputs();
        VerificationReport r = verify();
        assertThat(r.ok()).as(r.summary() + r.problems()).isTrue();
        assertThat(r.exitCode()).isZero();
        assertThat(r.expectedResults()).isEqualTo(7);
        assertThat(r.summary()).startsWith("verify orders: OK: missing=0 duplicated=0 wrong=0 open_transactions=0");
    }

    @Test
    void shouldReportMissingResult() {
        happyInputs();
        happyOutputs();
        outputs.remove(4);
        VerificationReport r = verify();
        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.duplicated() + r.wrong()).isZero();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.problems()).singleElement().asString().contains("missing", "o-2", "b2");
    }

    @Test
    void shouldReportDuplicatedResult() {
        happyInputs();
        happyOutputs();
        out("o-1", OrderStatus.PAID, 2, "a2");
        VerificationReport r = verify();
        assertThat(r.duplicated()).isEqualTo(1);
        assertThat(r.missing() + r.wrong()).isZero();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.problems()).singleElement().asString().contains("duplicated", "a2");
    }

    @Test
    void shouldReportWrongVersion() {
        happyInputs();
        happyOutputs();
        outputs.set(2, new Output(0, 2, "o-1", OrderResult.newBuilder(outputs.get(2).value()).setVersion(4).build()));
        VerificationReport r = verify();
        assertThat(r.wrong()).isEqualTo(1);
        assertThat(r.missing() + r.duplicated()).isZero();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.problems()).singleElement().asString().contains("version 4 != 3");
    }

    @Test
    void shouldReportResultOfAnEventThatMustBeRejected() {
        happyInputs();
        happyOutputs();
        out("o-3", OrderStatus.SHIPPED, 2, "c2"); // shipped before paid was applied
        VerificationReport r = verify();
        assertThat(r.wrong()).isEqualTo(1);
        assertThat(r.problems()).singleElement().asString().contains("unexpected", "c2");
    }

    @Test
    void shouldExpectOneExpiredResultForUnpaidOrderAndNoPaymentAfterIt() {
        in(0, 0, "a1", "o-1", OrderEventType.CREATED);
        in(0, 1_000, "z1", "o-9", OrderEventType.CREATED); // stream time reaches o-1's deadline
        in(0, 1_001, "a2", "o-1", OrderEventType.PAID);     // too late: dropped as expired
        out("o-1", OrderStatus.CREATED, 1, "a1");
        out("o-9", OrderStatus.CREATED, 1, "z1");
        assertThat(verify().missing()).as("EXPIRED result missing").isEqualTo(1);

        out("o-1", OrderStatus.EXPIRED, 1, "a1");
        assertThat(verify().ok()).isTrue();

        out("o-1", OrderStatus.EXPIRED, 1, "a1");
        assertThat(verify().duplicated()).isEqualTo(1);
    }

    @Test
    void shouldMeasureStreamTimePerPartition() {
        in(0, 0, "a1", "o-1", OrderEventType.CREATED);
        in(1, 5_000, "z1", "o-9", OrderEventType.CREATED); // another partition: o-1 does not expire
        in(0, 10, "a2", "o-1", OrderEventType.PAID);
        out("o-1", OrderStatus.CREATED, 1, "a1");
        out("o-9", OrderStatus.CREATED, 1, "z1");
        out("o-1", OrderStatus.PAID, 2, "a2");
        VerificationReport r = verify();
        assertThat(r.ok()).as(r.problems().toString()).isTrue();
    }

    @Test
    void shouldSkipInvalidContentAndUndecodableInputs() {
        in(0, 1, "a1", "o-1", OrderEventType.CREATED);
        OrderEvent bad = OrderEvent.newBuilder(inputs.get(0).value()).setEventId("b1").setOrderId("o-2").setCurrency("usd").build();
        inputs.add(Input.of(0, 1, 2, "o-2", bad));
        inputs.add(new Input(0, 2, 3, "o-3", null, false));
        OrderEvent negativePayment = OrderEvent.newBuilder(inputs.get(0).value()).setEventId("a2")
                .setType(OrderEventType.PAID).setAmountCents(-1).build();
        inputs.add(Input.of(0, 3, 4, "o-1", negativePayment));
        OrderEvent fromTheFuture = OrderEvent.newBuilder(inputs.get(0).value()).setEventId("a3")
                .setType(OrderEventType.PAID).setTimestamp(Instant.now().plus(java.time.Duration.ofDays(2))).build();
        inputs.add(Input.of(0, 4, 5, "o-1", fromTheFuture));
        inputs.add(Input.of(0, 5, 6, "o-1", null)); // tombstone
        out("o-1", OrderStatus.CREATED, 1, "a1");
        VerificationReport r = verify();
        assertThat(r.ok()).isTrue();
        assertThat(r.undecodableInputs()).isEqualTo(1);
    }

    @Test
    void shouldFailOnOpenTransactions() {
        happyInputs();
        happyOutputs();
        VerificationReport r = verify().withOpenTransactions(1, List.of("open transaction on orders-processed-0"));
        assertThat(r.ok()).isFalse();
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.summary()).contains("open_transactions=1");
    }

    private static org.apache.kafka.common.header.Headers dlqHeaders(String pipeline, String reason, String topic,
            int partition, long offset) {
        return dev.pipeline.policy.DeadLetters.headers(new org.apache.kafka.common.header.internals.RecordHeaders(),
                dev.pipeline.policy.DropReason.valueOf(reason.toUpperCase(java.util.Locale.ROOT)), pipeline, 1,
                new dev.pipeline.policy.DeadLetters.Source(topic, partition, offset), null);
    }

    @Test
    void shouldLeaveOutEventsTheAuthorizationDroppedAndJudgeTheRestWithoutThem() {
        in(0, 1, "a1", "o-1", OrderEventType.CREATED);
        in(0, 2, "a2", "o-1", OrderEventType.PAID);    // offset 1: rejected by the service
        in(0, 3, "a3", "o-1", OrderEventType.SHIPPED); // then not allowed: CREATED + SHIPPED
        in(0, 4, "b1", "o-2", OrderEventType.CREATED);
        in(0, 5, "b2", "o-2", OrderEventType.PAID);    // offset 4: approved
        out("o-1", OrderStatus.CREATED, 1, "a1");
        out("o-2", OrderStatus.CREATED, 1, "b1");
        out("o-2", OrderStatus.PAID, 2, "b2");
        var dropped = VerifierInputs.externallyDropped(List.of(
                dlqHeaders("orders", "rejected", "orders", 0, 1),
                dlqHeaders("orders", "invalid_transition", "orders", 0, 2), // judged by the rules: not left out
                dlqHeaders("logs", "retries_exhausted", "logs-raw", 0, 4)), "orders");

        assertThat(dropped).containsExactly(new OrdersVerifier.Dropped(0, 1));
        VerificationReport r = OrdersVerifier.verify(inputs, outputs, OrdersVerifier.Rules.withPaymentTimeout(TIMEOUT),
                dropped);
        assertThat(r.ok()).as(r.summary() + r.problems()).isTrue();
        assertThat(r.expectedResults()).isEqualTo(3);
        // without the DLQ the refused payment and the shipment after it are expected
        assertThat(verify().missing()).isEqualTo(2);
    }
}
