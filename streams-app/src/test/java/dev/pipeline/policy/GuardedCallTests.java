package dev.pipeline.policy;

import dev.pipeline.observe.PipelineMetrics;
import org.junit.jupiter.api.AfterEach;

/** What the guarded-call tests share: in-memory metrics, fake time, the call under test closed after each test. */
abstract class GuardedCallTests {
    final PipelineMetrics metrics = PipelineMetrics.inMemory();
    final FakeTime time = new FakeTime();
    private GuardedCall<String, String> guarded;

    /** A guarded call of pipeline {@code logs} on the fake clock and sleeper. */
    GuardedCall<String, String> guard(ExternalCallPolicy policy, GuardedCall.Call<String, String> call) {
        guarded = new GuardedCall<>("logs", policy, metrics, call, time, time);
        return guarded;
    }

    @AfterEach
    void closeGuarded() {
        if (guarded != null) {
            guarded.close();
        }
    }
}
