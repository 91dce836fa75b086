package dev.pipeline.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry (the REST subset the pipeline and Confluent's serdes use)
 * as an {@link HttpHandler}. Mount it on any context path of a JDK {@code HttpServer}; routes are
 * matched relative to that path, e.g. {@code /registry/subjects/x/versions} when mounted at
 * {@code /registry}.
 *
 * <pre>
 * POST /subjects/{s}/versions                        {"schema":".."} -> {"id":N}
 * GET  /subjects                                     -> ["s",..]
 * GET  /subjects/{s}/versions                        -> [1,2,..]
 * GET  /subjects/{s}/versions/{n|latest}             -> {"subject","version","id","schema"}
 * GET  /schemas/ids/{id}                             -> {"schema":".."}
 * POST /compatibility/subjects/{s}/versions/{n|latest} {"schema":".."} -> {"is_compatible":bool}
 * </pre>
 *
 * Errors use Confluent's body {@code {"error_code":40401,"message":".."}}. Versions are persisted
 * through a {@link SchemaStore} (by default the compacted {@code _schemas} topic), so ids survive
 * restarts. Thread safe.
 */
public final class EmbeddedSchemaRegistry implements HttpHandler, AutoCloseable {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;
    private final InMemorySchemaRegistryClient registry;

    public EmbeddedSchemaRegistry(SchemaStore store) {
        this.store = store;
        this.registry = new InMemorySchemaRegistryClient(store);
    }

    /** Persists to {@value KafkaSchemaStore#DEFAULT_TOPIC}, creating it if missing. */
    public EmbeddedSchemaRegistry(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** {@code clientProps} go to the admin, producer and consumer (e.g. security settings). */
    public EmbeddedSchemaRegistry(String bootstrapServers, Map<String, ?> clientProps) {
        this(new KafkaSchemaStore(bootstrapServers, KafkaSchemaStore.DEFAULT_TOPIC, clientProps));
    }

    /** The same registry without HTTP, for code in this process. */
    public InMemorySchemaRegistryClient client() {
        return registry;
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        int status;
        Object body;
        try {
            body = route(exchange.getRequestMethod(), segments(exchange), exchange);
            status = 200;
        } catch (SchemaRegistryException e) {
            status = e.httpStatus();
            body = error(e.errorCode(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("schema registry request {} {} failed", exchange.getRequestMethod(),
                    exchange.getRequestURI(), e);
            status = 500;
            body = error(500, "Internal Server Error: " + e.getMessage());
        }
        try (exchange) {
            byte[] bytes = JSON.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Path segments after the context path, percent-decoded (subjects may contain '/' or ':'). */
    private static List<String> segments(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        String context = exchange.getHttpContext().getPath();
        if (path.startsWith(context)) {
            path = path.substring(context.length());
        }
        return Arrays.stream(path.split("/"))
                .filter(s -> !s.isEmpty())
                // a path keeps '+' literal (URLDecoder is for forms and would make it a space)
                .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8))
                .toList();
    }

    private Object route(String method, List<String> p, HttpExchange exchange) throws IOException {
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        if (p.equals(List.of("subjects"))) {
            return requireMethod(get, () -> registry.subjects());
        }
        if (p.size() == 3 && p.get(0).equals("schemas") && p.get(1).equals("ids")) {
            return requireMethod(get, () -> Map.of("schema", registry.getById(schemaId(p.get(2))).toString()));
        }
        if (p.size() == 3 && p.get(0).equals("subjects") && p.get(2).equals("versions")) {
            if (post) {
                return Map.of("id", registry.register(p.get(1), schemaFrom(exchange)));
            }
            return requireMethod(get, () -> registry.versions(p.get(1)).stream().map(SchemaVersion::version).toList());
        }
        if (p.size() == 4 && p.get(0).equals("subjects") && p.get(2).equals("versions")) {
            return requireMethod(get, () -> describe(version(p.get(1), p.get(3))));
        }
        if (p.size() == 5 && p.get(0).equals("compatibility") && p.get(1).equals("subjects")
                && p.get(3).equals("versions")) {
            if (!post) {
                throw methodNotAllowed();
            }
            Schema candidate = schemaFrom(exchange);
            Schema against = version(p.get(2), p.get(4)).schema();
            return Map.of("is_compatible", InMemorySchemaRegistryClient.backwardCompatible(candidate, against));
        }
        throw new SchemaRegistryException(404, 404, "HTTP 404 Not Found");
    }

    private static Object requireMethod(boolean allowed, Supplier<Object> body) {
        if (!allowed) {
            throw methodNotAllowed();
        }
        return body.get();
    }

    private static SchemaRegistryException methodNotAllowed() {
        return new SchemaRegistryException(405, 405, "HTTP 405 Method Not Allowed");
    }

    private SchemaVersion version(String subject, String version) {
        if (version.equals("latest")) {
            return registry.latest(subject);
        }
        try {
            return registry.version(subject, Integer.parseInt(version));
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(422, 42202, "The specified version '" + version
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }
    }

    private static int schemaId(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(404, SchemaRegistryException.SCHEMA_NOT_FOUND,
                    "Schema " + text + " not found");
        }
    }

    private static Map<String, Object> describe(SchemaVersion v) {
        return Map.of("subject", v.subject(), "version", v.version(), "id", v.id(), "schema", v.schema().toString());
    }

    private static Schema schemaFrom(HttpExchange exchange) throws IOException {
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] raw = in.readNBytes(MAX_BODY_BYTES + 1);
            if (raw.length > MAX_BODY_BYTES) {
                throw new SchemaRegistryException(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            request = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(400, 400, "Unparseable request body: " + e.getOriginalMessage());
        }
        JsonNode type = request == null ? null : request.get("schemaType");
        if (type != null && !type.isNull() && !type.asText().equals("AVRO")) {
            throw invalidSchema("only AVRO schemas are supported, not " + type.asText());
        }
        JsonNode schema = request == null ? null : request.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw invalidSchema("request has no \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (RuntimeException e) {
            throw invalidSchema(e.getMessage());
        }
    }

    private static SchemaRegistryException invalidSchema(String why) {
        return new SchemaRegistryException(422, SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + why);
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error_code", code).put("message", message);
        return node;
    }
}
