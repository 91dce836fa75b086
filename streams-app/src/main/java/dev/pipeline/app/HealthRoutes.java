package dev.pipeline.app;

import dev.pipeline.app.HttpServerHost.JsonReply;
import dev.pipeline.observe.GroupLag;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DropReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * /health/live, /health/ready, /api/status and /api/config. Readiness is every pipeline RUNNING
 * and, once the lag monitor has sampled, none of our groups stuck (STALL, STOP) or unreachable (ERR).
 */
final class HealthRoutes {
    private HealthRoutes() {}

    static void mount(PipelineApplication app, HttpServerHost http) {
        http.mountJson("/health/live", () -> JsonReply.ok(Map.of("status", "UP")));
        http.mountJson("/health/ready", () -> readiness(app));
        http.mountJson("/api/status", () -> JsonReply.ok(Map.of("pipelines", status(app))));
        http.mountJson("/api/config", () -> JsonReply.ok(app.config().redacted()));
    }

    /**
     * 200 when every pipeline is RUNNING and its input advances; else 503 with the first reason. A
     * RUNNING pipeline can still be stuck: with two of three brokers gone its transactions and
     * commits wait (min ISR) while Kafka Streams reports nothing, so the lag monitor's view counts too.
     */
    static JsonReply readiness(PipelineApplication app) {
        Map<String, String> states = new LinkedHashMap<>();
        app.streams().forEach((name, ks) -> states.put(name, ks.state().name()));
        Optional<String> reason = notReadyBecause(app, states);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reason.isEmpty() ? "UP" : "DOWN");
        body.put("pipelines", states);
        reason.ifPresent(r -> body.put("reason", r));
        return new JsonReply(reason.isEmpty() ? 200 : 503, body);
    }

    /** The first reason not to be ready: a pipeline not RUNNING, then a group of ours stuck or unreachable. */
    static Optional<String> notReadyBecause(PipelineApplication app, Map<String, String> states) {
        if (!app.ready()) {
            return Optional.of(states.isEmpty() ? "no pipeline started" : "pipelines not all RUNNING: " + states);
        }
        Set<String> ours = new HashSet<>();
        app.pipelines().values().forEach(p -> ours.add((String) p.streamsProperties().get(StreamsConfig.APPLICATION_ID_CONFIG)));
        return app.progress().groups().stream().filter(g -> ours.contains(g.group()))
                .map(HealthRoutes::notAdvancing).flatMap(Optional::stream).findFirst();
    }

    static Optional<String> notAdvancing(GroupLag g) {
        return switch (g.status()) {
            case ERR -> Optional.of("brokers unavailable: group " + g.group() + ": " + g.error());
            case STALL -> Optional.of("input not advancing: group " + g.group() + " has lag " + g.totalLag()
                    + " and its committed offsets did not move over the lag window");
            case STOP -> Optional.of("input not advancing: group " + g.group() + " has lag " + g.totalLag()
                    + " and committed nothing for lag.stop.after.ms");
            case OK, WARN -> Optional.empty();
        };
    }

    static Map<String, Object> status(PipelineApplication app) {
        Map<String, Object> out = new LinkedHashMap<>();
        MeterRegistry reg = app.metrics().registry();
        app.pipelines().forEach((name, p) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            KafkaStreams ks = app.streams().get(name);
            s.put("state", ks == null ? "NOT_STARTED" : ks.state().name());
            s.put("recordsIn", (long) app.metrics().recordsIn(name).count());
            s.put("recordsOut", (long) app.metrics().recordsOut(name).count());
            Map<String, Long> dropped = new TreeMap<>();
            long dlq = 0;
            for (DropReason r : DropReason.values()) {
                dropped.put(r.label(), (long) sum(reg, MetricNames.DROPPED_RECORDS, name, r));
                dlq += (long) sum(reg, MetricNames.DLQ_RECORDS, name, r);
            }
            s.put("droppedByReason", dropped);
            s.put("dlq", dlq);
            s.putAll(p.status());
            out.put(name, s);
        });
        return out;
    }

    private static double sum(MeterRegistry reg, String metric, String pipeline, DropReason r) {
        return Search.in(reg).name(metric).tag(MetricNames.TAG_PIPELINE, pipeline)
                .tag(MetricNames.TAG_REASON, r.label()).counters().stream().mapToDouble(Counter::count).sum();
    }
}
