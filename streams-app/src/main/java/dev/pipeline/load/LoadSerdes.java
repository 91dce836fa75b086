package dev.pipeline.load;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.SerdeFactory;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import java.util.HashMap;
import java.util.Map;

/** The app's Avro serdes for a command that runs outside {@code run} (produce, bench). */
public final class LoadSerdes {
    private LoadSerdes() {}

    /**
     * Serdes over the registry at {@code schema.registry.url}; when that is empty, the embedded
     * registry a local {@code run} or {@code broker} serves at {@code http://localhost:<http.port>/registry}.
     */
    public static SerdeFactory fromConfig(PipelineConfig config) {
        SchemaRegistryClient client = SchemaRegistryClients.create(registryProps(config));
        Map<String, Object> serdeConfig = Map.of(
                SchemaRegistryClients.AUTO_REGISTER_SCHEMAS, config.getBoolean(CoreKeys.AUTO_REGISTER_SCHEMAS_CONFIG),
                SchemaRegistryClients.USE_LATEST_VERSION, config.getBoolean(CoreKeys.USE_LATEST_VERSION_CONFIG));
        return new SerdeFactory() {
            @Override
            public <T extends org.apache.avro.specific.SpecificRecord> org.apache.kafka.common.serialization.Serde<T> valueSerde(Class<T> type) {
                AvroSerde<T> serde = new AvroSerde<>(client, type);
                serde.configure(serdeConfig, false);
                return serde;
            }
        };
    }

    public static String registryUrl(PipelineConfig config) {
        String url = config.getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG);
        return url.isBlank() ? "http://localhost:" + config.getInt(CoreKeys.HTTP_PORT_CONFIG) + "/registry" : url;
    }

    private static Map<String, Object> registryProps(PipelineConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registryUrl(config));
        String userInfo = config.getString(CoreKeys.BASIC_AUTH_USER_INFO_CONFIG);
        if (!userInfo.isEmpty()) {
            p.put(SchemaRegistryClients.BASIC_AUTH_USER_INFO, userInfo);
        }
        return p;
    }
}
