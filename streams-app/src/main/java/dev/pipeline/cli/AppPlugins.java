package dev.pipeline.cli;

import dev.pipeline.app.HttpServerHost;
import dev.pipeline.app.PipelineApplication;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.load.DemoLoad;
import dev.pipeline.kafka.registry.EmbeddedSchemaRegistry;
import dev.pipeline.observe.LagTarget;
import dev.pipeline.observe.Observability;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.streams.StreamsConfig;

/** How the CLI wires the registry, serdes and observability into {@link PipelineApplication}. */
enum AppPlugins implements PipelineApplication.Plugins {
    INSTANCE;

    static final String REGISTRY_PATH = "/registry";

    @Override
    public String startEmbeddedRegistry(PipelineConfig config, HttpServerHost http, Deque<AutoCloseable> closeables) {
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(config.bootstrapServers().orElseThrow(),
                config.kafkaClientProps());
        closeables.push(registry);
        http.mount(REGISTRY_PATH, registry);
        return "http://localhost:" + http.port() + REGISTRY_PATH;
    }

    @Override
    public SerdeFactory serdes(PipelineConfig config) {
        return SerdeFactory.fromConfig(config);
    }

    /** /metrics, /api/lag, the dashboard, Kafka/JVM binders and the lag monitor; closed before the pipelines. */
    @Override
    public void afterStart(PipelineApplication app, Deque<AutoCloseable> closeables) {
        List<LagTarget> targets = app.pipelines().values().stream()
                .map(p -> LagTarget.of((String) p.streamsProperties().get(StreamsConfig.APPLICATION_ID_CONFIG),
                        app.topologies().get(p.name()).describe()))
                .toList();
        Observability obs = Observability.start(app.config(), app.prometheus(), app.streams(), targets);
        closeables.push(obs);
        obs.routes().forEach(app.http()::mount);
        app.watchProgress(obs.lagMonitor()::snapshot); // readiness: is the input advancing, does the cluster answer
        double demoRate = DemoLoad.rateFor(app.config().getInt(CoreKeys.DEMO_RATE_CONFIG), app.embeddedBroker());
        if (demoRate > 0) {
            closeables.push(DemoLoad.start(app.config(), app.topics(), app.serdes(), demoRate));
        }
    }

}
