package dev.pipeline.load;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import java.util.Map;

/** Where {@code produce} finds the registry when none is configured: the one a local {@code run} or {@code broker} serves. */
public final class LoadSerdes {
    private LoadSerdes() {}

    /**
     * Serdes over the registry at {@code schema.registry.url}; when that is empty, the embedded
     * registry a local {@code run} or {@code broker} serves at {@code http://localhost:<http.port>/registry}.
     */
    public static SerdeFactory fromConfig(PipelineConfig config) {
        return SerdeFactory.fromConfig(config.with(Map.of(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG, registryUrl(config))));
    }

    public static String registryUrl(PipelineConfig config) {
        String url = config.getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG);
        return url.isBlank() ? "http://localhost:" + config.getInt(CoreKeys.HTTP_PORT_CONFIG) + "/registry" : url;
    }
}
