package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.OrdersKeys;
import dev.pipeline.orders.OrdersVerifier.Input;
import dev.pipeline.orders.OrdersVerifier.Output;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two implementations of the rules (topology and verifier) must agree on a mixed load:
 * duplicates, expiries, late payments, out-of-order and invalid events, punctuations at odd times.
 */
class VerifierAgreesWithTopologyTest {
    private static final long TIMEOUT_MS = 2_000;

    @TempDir
    Path stateDir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void shouldAgreeOnMixedLoad(long seed) {
        List<OrderLoad.Send> load = OrderLoad.generate(seed, 4_000, 0.10, 40, 1, TIMEOUT_MS + 500);
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                OrdersKeys.EXPIRY_SCAN_MAX_CONFIG, 3))) {
            List<Input> inputs = new ArrayList<>();
            List<Output> outputs = new ArrayList<>();
            drive(d, load, inputs, outputs);

            VerificationReport report = OrdersVerifier.verify(inputs, outputs, OrdersVerifier.Rules.withPaymentTimeout(TIMEOUT_MS));
            assertThat(report.ok()).as(report.summary() + "\n" + String.join("\n", report.problems())).isTrue();
            // the load really exercised what it claims to
            assertThat(d.duplicatesCounted()).isGreaterThan(100);
            assertThat(outputs).filteredOn(o -> o.value().getStatus() == OrderStatus.EXPIRED).hasSizeGreaterThan(10);
            assertThat(d.readDlq()).extracting(OrdersDriver::reason)
                    .contains("expired", "invalid_transition", "processing");
        }
    }

    /** With authorization on and a service that refuses the PAID of every fifth order: the verifier learns those from the DLQ. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5})
    void shouldAgreeWithAuthorizationOnReadingRefusalsFromTheDlq(long seed) {
        List<OrderLoad.Send> load = OrderLoad.generate(seed, 2_000, 0.10, 40, 1, TIMEOUT_MS + 500);
        FakeAuthorizer authorizer = new FakeAuthorizer();
        authorizer.script = r -> Math.floorMod(r.orderId().hashCode(), 5) == 0 ? Authorizer.Verdict.REFUSED
                : Authorizer.Verdict.APPROVED;
        Map<String, Object> config = new java.util.HashMap<>(ParkingTopologyTest.config(Map.of()));
        config.put(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        config.put(OrdersKeys.EXPIRY_SCAN_MAX_CONFIG, 3);
        try (OrdersDriver d = new OrdersDriver(stateDir, config, authorizer)) {
            List<Input> inputs = new ArrayList<>();
            List<Output> outputs = new ArrayList<>();
            drive(d, load, inputs, outputs);
            List<TestRecord<byte[], byte[]>> dlq = d.readDlq();
            var dropped = VerifierInputs.externallyDropped(dlq.stream().map(TestRecord::headers).toList(), "orders");

            VerificationReport report = OrdersVerifier.verify(inputs, outputs,
                    OrdersVerifier.Rules.withPaymentTimeout(TIMEOUT_MS), dropped);
            assertThat(report.ok()).as(report.summary() + "\n" + String.join("\n", report.problems())).isTrue();
            assertThat(dlq).extracting(OrdersDriver::reason).contains("rejected");
            assertThat(dropped).hasSizeGreaterThan(10);
        }
    }

    /** Sends the load with a punctuation every 97 events and 50 at the end; collects what went in and came out. */
    private static void drive(OrdersDriver d, List<OrderLoad.Send> load, List<Input> inputs, List<Output> outputs) {
        for (int i = 0; i < load.size(); i++) {
            OrderLoad.Send s = load.get(i);
            d.send(s.event(), s.offsetMs());
            inputs.add(Input.of(0, i, OrdersDriver.START.toEpochMilli() + s.offsetMs(), s.key(), s.event()));
            if (i % 97 == 0) {
                d.tick();
            }
        }
        for (int i = 0; i < 50; i++) {
            d.tick();
        }
        for (TestRecord<String, OrderResult> r : d.results.readRecordsToList()) {
            outputs.add(new Output(0, outputs.size(), r.key(), r.value()));
        }
    }
}
