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

    /**
     * The drop-path scenario: the logs pipeline's external sink never answers and its buffer is
     * small, so the in-flight window and then the buffer fill within the first records and most
     * of the run goes through DROP_NEWEST (counted, dead-lettered). Keys of the logs pipeline.
     */
    static final Map<String, String> STALLED_SINK_SETTINGS = Map.of(
            "logs.buffer.overflow.policy", "DROP_NEWEST",
            "logs.buffer.max.records", "2000",
            "logs.buffer.max.bytes", String.valueOf(512 * 1024));
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
                        env -> with(STALLED_SINK_SETTINGS, LOGS_SINK_URL, env.stalledSinkUrl())),
                new PipelineScenario(ORDERS_ALOS, PipelineRef.ORDERS, LoadKind.ORDERS, Guarantee.ALOS, env -> Map.of()),
                new PipelineScenario(ORDERS_EOS, PipelineRef.ORDERS, LoadKind.ORDERS, Guarantee.EOS, env -> Map.of()),
                new AuthorizedOrdersScenario(PipelineRef.ORDERS),
                new OrderLatencyScenario(PipelineRef.ORDERS),
                OrderLatencyScenario.rateMatched(PipelineRef.ORDERS),
                OrderLatencyScenario.authorized(PipelineRef.ORDERS));
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
