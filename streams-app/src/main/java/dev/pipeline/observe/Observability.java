package dev.pipeline.observe;

import com.sun.net.httpserver.HttpHandler;
import dev.pipeline.config.ObserveKeys;
import dev.pipeline.config.PipelineConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything the observe capability runs inside {@code run}, started in one call and closed in
 * one: JVM/process and Kafka Streams metrics bound to the app's registry, the lag monitor (its
 * thread and gauges), and the HTTP routes {@code /metrics}, {@code /api/lag} and {@code /}.
 *
 * <p>Wiring ({@code PipelineApplication.Plugins.afterStart}):
 * <pre>{@code
 * Observability obs = Observability.start(app.config(), app.prometheus(), app.streams(), targets);
 * closeables.push(obs);                         // closed before the KafkaStreams it observes
 * obs.routes().forEach(app.http()::mount);
 * }</pre>
 */
public final class Observability implements AutoCloseable {
    public static final String METRICS_PATH = "/metrics";
    public static final String LAG_PATH = "/api/lag";
    public static final String DASHBOARD_PATH = "/";

    private final MetricsBinding metrics;
    private final LagMonitor lag;
    private final DashboardHistory history;
    private final Map<String, HttpHandler> routes = new LinkedHashMap<>();

    private Observability(MetricsBinding metrics, LagMonitor lag, DashboardHistory history) {
        this.metrics = metrics;
        this.lag = lag;
        this.history = history;
        routes.put(METRICS_PATH, new MetricsHandler(metrics.registry()));
        routes.put(LAG_PATH, new LagHandler(lag::snapshot, history));
        routes.put(DASHBOARD_PATH, new DashboardHandler());
    }

    /**
     * @param streams the running pipelines by name (the {@code pipeline} tag of Kafka's metrics)
     * @param targets the pipelines' groups, e.g. {@code LagTarget.of(applicationId, topology.describe())};
     *                replaced by {@code lag.groups} when that key is set
     */
    public static Observability start(PipelineConfig config, PrometheusMeterRegistry registry,
                                      Map<String, KafkaStreams> streams, List<LagTarget> targets) {
        MetricsBinding metrics = MetricsBinding.on(registry);
        LagMonitor lag = null;
        try {
            streams.forEach(metrics::bindStreams);
            List<LagTarget> watched = LagReport.targets(config.getList(ObserveKeys.LAG_GROUPS_CONFIG), targets);
            LagSettings settings = LagSettings.from(config);
            lag = new LagMonitor(config.kafkaClientProps(), watched, settings);
            lag.bindTo(registry);
            DashboardHistory history = new DashboardHistory(registry, settings.pollInterval());
            lag.addListener(history);
            lag.start();
            return new Observability(metrics, lag, history);
        } catch (RuntimeException e) {
            if (lag != null) {
                lag.close();
            }
            metrics.close();
            throw e;
        }
    }

    /** Path → handler to mount on the app's HTTP server. */
    public Map<String, HttpHandler> routes() {
        return routes;
    }

    public LagMonitor lagMonitor() {
        return lag;
    }

    public MetricsBinding metrics() {
        return metrics;
    }

    /** The last five minutes the dashboard draws on opening, sampled with every lag snapshot. */
    public DashboardHistory history() {
        return history;
    }

    @Override
    public void close() {
        List<RuntimeException> errors = new ArrayList<>();
        for (AutoCloseable c : List.<AutoCloseable>of(lag, metrics)) {
            try {
                c.close();
            } catch (Exception e) {
                errors.add(new IllegalStateException("closing " + c + " failed", e));
            }
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }
}
