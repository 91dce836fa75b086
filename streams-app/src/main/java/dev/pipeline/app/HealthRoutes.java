package dev.pipeline.app;

import dev.pipeline.app.HttpServerHost.JsonReply;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.policy.DropReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;

/** /health/live, /health/ready, /api/status and /api/config. */
final class HealthRoutes {
    private HealthRoutes() {}

    static void mount(PipelineApplication app, HttpServerHost http) {
        http.mountJson("/health/live", () -> JsonReply.ok(Map.of("status", "UP")));
        http.mountJson("/health/ready", () -> {
            Map<String, String> states = new LinkedHashMap<>();
            app.streams().forEach((name, ks) -> states.put(name, ks.state().name()));
            boolean ready = app.ready();
            return new JsonReply(ready ? 200 : 503, Map.of("status", ready ? "UP" : "DOWN", "pipelines", states));
        });
        http.mountJson("/api/status", () -> JsonReply.ok(Map.of("pipelines", status(app))));
        http.mountJson("/api/config", () -> JsonReply.ok(app.config().redacted()));
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
