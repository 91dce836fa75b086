package dev.pipeline.testing;

import dev.pipeline.app.HttpServerHost;
import dev.pipeline.kafka.registry.EmbeddedSchemaRegistry;
import dev.pipeline.kafka.registry.SchemaRegistryClient;

/**
 * The embedded schema registry (schemas in the broker's {@code _schemas} topic) served over HTTP
 * on a free loopback port, so child JVMs use it by URL while the test serializes with the same
 * registry in-process.
 */
public final class HttpRegistry implements AutoCloseable {
    private final EmbeddedSchemaRegistry registry;
    private final HttpServerHost http;

    public HttpRegistry(String bootstrapServers) {
        registry = new EmbeddedSchemaRegistry(bootstrapServers);
        HttpServerHost host = null;
        try {
            host = HttpServerHost.start("127.0.0.1", 0);
            host.mount("/registry", registry);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        http = host;
    }

    /** What a child app gets as {@code PIPELINE_SCHEMA_REGISTRY_URL}. */
    public String url() {
        return "http://127.0.0.1:" + http.port() + "/registry";
    }

    /** The same registry in-process, for the test's own serdes. */
    public SchemaRegistryClient client() {
        return registry.client();
    }

    @Override
    public void close() {
        http.close();
        registry.close();
    }
}
