package dev.pipeline.bench;

import dev.pipeline.bench.Scenario.Guarantee;
import dev.pipeline.load.LoadKind;
import java.util.List;
import java.util.Map;

/**
 * The bench suite, in the order it runs and prints. A pipeline that is not built yet shows as
 * skipped ({@link PipelineRef} finds it by class name), so adding one later needs no change here;
 * a new scenario is one line.
 */
public final class Scenarios {
    static final String LOGS = "ours: logs ALOS";
    static final String LOGS_DROP_NEWEST = "ours: logs DROP_NEWEST, stalled sink";
    static final String ORDERS_ALOS = "ours: orders ALOS";
    static final String ORDERS_EOS = "ours: orders EOS";

    /** Config keys of the logs pipeline (issue 4) for the drop-path scenario. */
    static final String LOGS_OVERFLOW_POLICY = "logs.buffer.overflow.policy";
    static final String LOGS_SINK_URL = "logs.sink.http.url";

    private Scenarios() {}

    public static List<Scenario> all() {
        return List.of(
                ClientScenarios.rawProducer(),
                ClientScenarios.rawConsumer(),
                ClientScenarios.copyLoop(),
                StreamsScenario.passthrough(Guarantee.ALOS),
                StreamsScenario.passthrough(Guarantee.EOS),
                StreamsScenario.dslWindowedCount(),
                new PipelineScenario(LOGS, PipelineRef.LOGS, LoadKind.LOGS, Guarantee.ALOS, env -> Map.of()),
                new PipelineScenario(LOGS_DROP_NEWEST, PipelineRef.LOGS, LoadKind.LOGS, Guarantee.ALOS,
                        env -> Map.of(LOGS_OVERFLOW_POLICY, "DROP_NEWEST", LOGS_SINK_URL, env.stalledSinkUrl())),
                new PipelineScenario(ORDERS_ALOS, PipelineRef.ORDERS, LoadKind.ORDERS, Guarantee.ALOS, env -> Map.of()),
                new PipelineScenario(ORDERS_EOS, PipelineRef.ORDERS, LoadKind.ORDERS, Guarantee.EOS, env -> Map.of()),
                new OrderLatencyScenario(PipelineRef.ORDERS));
    }
}
