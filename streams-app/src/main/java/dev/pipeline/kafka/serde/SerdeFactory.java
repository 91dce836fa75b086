package dev.pipeline.kafka.serde;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.registry.SchemaRegistryClient;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one way the app, the load generator, the bench and the tests make the Avro value serdes of
 * the app's records (Confluent wire format, schema ids from one registry client shared by every
 * serde it makes). The settings are the app's registry keys ({@code schema.registry.url},
 * {@code basic.auth.user.info}, {@code auto.register.schemas}, {@code use.latest.version}) with
 * their defaults from {@link CoreKeys}, so a mock registry in a test and a real one in {@code run}
 * differ only in the URL.
 */
public final class SerdeFactory {
    private final SchemaRegistryClient client;
    private final Map<String, Object> settings;

    private SerdeFactory(SchemaRegistryClient client, Map<String, Object> settings) {
        this.client = Objects.requireNonNull(client, "client");
        this.settings = Map.copyOf(settings);
    }

    /**
     * Serdes over the registry at {@code schema.registry.url} ({@code mock://scope} for the
     * in-memory one).
     *
     * @throws org.apache.kafka.common.config.ConfigException if the URL is missing or malformed
     */
    public static SerdeFactory fromConfig(PipelineConfig config) {
        Map<String, Object> settings = registryConfig(config);
        return new SerdeFactory(SchemaRegistryClients.create(settings), settings);
    }

    /** Serdes over a client the caller already holds, with the default settings. */
    public static SerdeFactory over(SchemaRegistryClient client) {
        return new SerdeFactory(client, registryConfig(PipelineConfig.defaults()));
    }

    /** Serdes over the JVM-wide in-memory registry {@code mock://scope}, with the default settings. */
    public static SerdeFactory mock(String scope) {
        return over(SchemaRegistryClients.mock(scope));
    }

    /** The Confluent-style registry and serde settings of {@code config}, as {@link AvroSerde#configure} reads them. */
    public static Map<String, Object> registryConfig(PipelineConfig config) {
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

    public SchemaRegistryClient client() {
        return client;
    }

    /** A value serde for {@code type}; the registry client is shared, the serde is not. */
    public <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type) {
        AvroSerde<T> serde = new AvroSerde<>(client, type);
        serde.configure(settings, false);
        return serde;
    }
}
