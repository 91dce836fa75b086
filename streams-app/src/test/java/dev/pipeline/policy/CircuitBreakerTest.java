package dev.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.config.CircuitOpenPolicy;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.testing.Threads;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest extends GuardedCallTests {
    private static final long OPEN_WAIT_MS = 10_000;

    private final AtomicBoolean down = new AtomicBoolean(true);
    private final AtomicInteger invocations = new AtomicInteger();

    /** One attempt per call (no retries), window of 4 with 50% threshold, 2 trial calls when half-open. */
    private GuardedCall<String, String> guard(CircuitOpenPolicy whenOpen) {
        ExternalCallPolicy policy = new ExternalCallPolicy(1_000, 2, 1, 100, 2.0, 1_000, 0.0, 5_000, 50, 4, 4,
                OPEN_WAIT_MS, 2, whenOpen);
        return guard(policy, in -> {
            invocations.incrementAndGet();
            if (down.get()) {
                throw new IOException("connection refused");
            }
            return "ok " + in;
        });
    }

    @Test
    void shouldOpenAfterTheThresholdFailFastAsCircuitOpenThenHalfOpenAndCloseOnRecovery() {
        GuardedCall<String, String> call = guard(CircuitOpenPolicy.DEAD_LETTER);
        DropRecorder recorder = new DropRecorder("logs", metrics, null);
        assertThat(gauge()).isEqualTo(0.0);

        for (int i = 0; i < 4; i++) {
            assertThat(call.call("r" + i).status()).isEqualTo(CallOutcome.Status.RETRIES_EXHAUSTED);
        }
        assertThat(call.circuitState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(gauge()).isEqualTo(2.0);

        // open: refused without calling the dependency, dropped as circuit_open
        for (int i = 0; i < 3; i++) {
            CallOutcome<String> refused = call.call("fast-" + i);
            assertThat(refused.status()).isEqualTo(CallOutcome.Status.CIRCUIT_OPEN);
            assertThat(refused.attempts()).isZero();
            recorder.drop(refused.dropReason().orElseThrow(), null, null, 0L, null, DeadLetters.Source.UNKNOWN,
                    refused.attempts(), refused.failure());
        }
        assertThat(invocations.get()).isEqualTo(4);
        assertThat(metrics.dropped("logs", DropReason.CIRCUIT_OPEN.label()).count()).isEqualTo(3.0);

        // after the wait the next call is a trial (half-open); the dependency is back
        time.advance(OPEN_WAIT_MS + 1);
        down.set(false);
        assertThat(call.call("trial-1").status()).isEqualTo(CallOutcome.Status.SUCCESS);
        assertThat(call.circuitState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(gauge()).isEqualTo(1.0);
        assertThat(call.call("trial-2").status()).isEqualTo(CallOutcome.Status.SUCCESS);
        assertThat(call.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(gauge()).isEqualTo(0.0);
    }

    @Test
    void shouldOpenAgainWhenTheTrialCallsFail() {
        GuardedCall<String, String> call = guard(CircuitOpenPolicy.DEAD_LETTER);
        for (int i = 0; i < 4; i++) {
            call.call("r" + i);
        }
        time.advance(OPEN_WAIT_MS + 1);
        assertThat(call.call("trial-1").status()).isEqualTo(CallOutcome.Status.RETRIES_EXHAUSTED);
        assertThat(call.circuitState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(call.call("trial-2").status()).isEqualTo(CallOutcome.Status.RETRIES_EXHAUSTED);
        assertThat(invocations.get()).isEqualTo(6);
        assertThat(call.circuitState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(call.call("x").status()).isEqualTo(CallOutcome.Status.CIRCUIT_OPEN);
    }

    @Test
    void shouldHoldInsteadOfDroppingWhenThePolicyIsHold() {
        GuardedCall<String, String> call = guard(CircuitOpenPolicy.HOLD);
        for (int i = 0; i < 4; i++) {
            call.call("r" + i);
        }
        CallOutcome<String> held = call.call("x");
        assertThat(held.status()).isEqualTo(CallOutcome.Status.HELD);
        assertThat(held.dropReason()).isEmpty();
    }

    @Test
    void shouldLeaveNoThreadAndNoGaugeBehindAfterClose() {
        Set<Thread> before = Threads.liveNonDaemon();
        GuardedCall<String, String> call = guard(CircuitOpenPolicy.DEAD_LETTER);
        down.set(false);
        assertThat(call.call("x").status()).isEqualTo(CallOutcome.Status.SUCCESS);
        assertThat(threads()).as("the attempt ran on the caller's thread").isZero();
        call.close();
        assertThat(Threads.startedSince(before)).isEmpty();
        assertThat(metrics.registry().find(MetricNames.CIRCUIT_STATE).gauge()).isNull();
    }

    private static long threads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("pipeline-logs-") && t.isAlive()).count();
    }

    private double gauge() {
        return metrics.registry().find(MetricNames.CIRCUIT_STATE).tag(MetricNames.TAG_PIPELINE, "logs").gauge().value();
    }
}
