package dev.pipeline.cli;

import dev.pipeline.app.HttpServerHost;
import dev.pipeline.app.PipelineApplication;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.SerdeFactory;
import dev.pipeline.load.DemoLoad;
import dev.pipeline.kafka.registry.EmbeddedSchemaRegistry;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.observe.LagTarget;
import dev.pipeline.observe.Observability;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
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
        Map<String, Object> registryConfig = registryConfig(config);
        SchemaRegistryClient client = SchemaRegistryClients.create(registryConfig);
        return new SerdeFactory() {
            @Override
            public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
                AvroSerde<T> serde = new AvroSerde<>(client, type);
                serde.configure(registryConfig, false);
                return serde;
            }
        };
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

    static Map<String, Object> registryConfig(PipelineConfig config) {
        Map<String, Object> m = new HashMap<>();
        m.put(SchemaRegistryClients.SCHEMA_REGISTRY_URL, config.getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG));
        m.put(SchemaRegistryClients.AUTO_REGISTER_SCHEMAS, config.getBoolean(CoreKeys.AUTO_REGISTER_SCHEMAS_CONFIG));
        m.put(SchemaRegistryClients.USE_LATEST_VERSION, config.getBoolean(CoreKeys.USE_LATEST_VERSION_CONFIG));
        String userInfo = config.getString(CoreKeys.BASIC_AUTH_USER_INFO_CONFIG);
        if (!userInfo.isEmpty()) {
            m.put(SchemaRegistryClients.BASIC_AUTH_USER_INFO, userInfo);
        }
        return m;
    }
}
