package dev.pipeline.kafka.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.pipeline.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry (the REST subset Confluent's clients call) as an {@link
 * HttpHandler}. Mount it on any context path of a JDK {@code HttpServer}; routes are matched
 * relative to that path, e.g. {@code /registry/subjects/x/versions} when mounted at {@code
 * /registry}. Every route is one line of {@link #ROUTES}; every failure is a {@link
 * SchemaRegistryException} answered with Confluent's body {@code {"error_code":N,"message":".."}}.
 * State is persisted through a {@link SchemaStore} (by default the compacted {@code _schemas}
 * topic), so ids, deletions and configs survive restarts. Thread safe.
 */
public final class EmbeddedSchemaRegistry implements HttpHandler, AutoCloseable {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    /** A matched request: the path's {@code *} segments in order, the query, the exchange. */
    private record Request(List<String> params, Map<String, String> query, HttpExchange exchange) {
        String param(int i) {
            return params.get(i);
        }

        boolean flag(String name) {
            return Boolean.parseBoolean(query.get(name));
        }
    }

    @FunctionalInterface
    private interface Handler {
        Object handle(EmbeddedSchemaRegistry registry, Request request) throws IOException;
    }

    /** A body that is already JSON (a schema), sent as it is rather than as a JSON string. */
    private record RawJson(String json) {}

    /** {@code *} matches one path segment. First match of path wins; a path match with another method is 405. */
    private record Route(String method, List<String> pattern, Handler handler) {
        Route(String method, String pattern, Handler handler) {
            this(method, List.of(pattern.split("/")), handler);
        }

        Optional<List<String>> match(List<String> path) {
            if (path.size() != pattern.size()) {
                return Optional.empty();
            }
            List<String> params = new ArrayList<>();
            for (int i = 0; i < path.size(); i++) {
                if (pattern.get(i).equals("*")) {
                    params.add(path.get(i));
                } else if (!pattern.get(i).equals(path.get(i))) {
                    return Optional.empty();
                }
            }
            return Optional.of(params);
        }
    }

    private static final List<Route> ROUTES = List.of(
            new Route("GET", "subjects", (r, q) -> r.registry.subjects(q.flag("deleted"))),
            new Route("POST", "subjects/*/versions", EmbeddedSchemaRegistry::register),
            new Route("GET", "subjects/*/versions", (r, q) -> r.registry.versions(q.param(0), q.flag("deleted"))
                    .stream().map(SchemaVersion::version).toList()),
            new Route("POST", "subjects/*", (r, q) ->
                    describe(r.registry.lookup(q.param(0), schemaFrom(q.exchange()), q.flag("deleted")))),
            new Route("DELETE", "subjects/*", (r, q) -> r.registry.deleteSubject(q.param(0), q.flag("permanent"))),
            new Route("GET", "subjects/*/versions/*", (r, q) ->
                    describe(r.registry.version(q.param(0), q.param(1), q.flag("deleted")))),
            new Route("DELETE", "subjects/*/versions/*", (r, q) ->
                    r.registry.deleteVersion(q.param(0), q.param(1), q.flag("permanent"))),
            new Route("GET", "subjects/*/versions/*/schema", (r, q) ->
                    new RawJson(r.registry.version(q.param(0), q.param(1), q.flag("deleted")).schema().toString())),
            // ?subject= names the context a schema is looked up in; ids are global here, so any is fine
            new Route("GET", "schemas/ids/*", (r, q) -> Map.of("schema", r.registry.getById(schemaId(q.param(0))).toString())),
            new Route("GET", "schemas/ids/*/schema", (r, q) -> new RawJson(r.registry.getById(schemaId(q.param(0))).toString())),
            new Route("GET", "config", (r, q) -> level(r.registry.globalLevel())),
            new Route("PUT", "config", (r, q) -> setLevel(r, null, q)),
            new Route("DELETE", "config", (r, q) -> deleteLevel(r, null)),
            new Route("GET", "config/*", EmbeddedSchemaRegistry::subjectLevel),
            new Route("PUT", "config/*", (r, q) -> setLevel(r, q.param(0), q)),
            new Route("DELETE", "config/*", (r, q) -> deleteLevel(r, q.param(0))),
            new Route("POST", "compatibility/subjects/*/versions/*", (r, q) -> compatibility(r, q, q.param(1))),
            new Route("POST", "compatibility/subjects/*/versions", (r, q) -> compatibility(r, q, null)));

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
            body = route(exchange);
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
            byte[] bytes = body instanceof RawJson raw
                    ? raw.json().getBytes(StandardCharsets.UTF_8) : Json.MAPPER.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private Object route(HttpExchange exchange) throws IOException {
        List<String> path = segments(exchange);
        boolean pathKnown = false;
        for (Route route : ROUTES) {
            Optional<List<String>> params = route.match(path);
            if (params.isPresent()) {
                if (route.method().equals(exchange.getRequestMethod())) {
                    return route.handler().handle(this, new Request(params.get(), query(exchange), exchange));
                }
                pathKnown = true;
            }
        }
        if (pathKnown) {
            throw new SchemaRegistryException(405, 405, "HTTP 405 Method Not Allowed");
        }
        // also what /associations/... gets, so newer clients fall back to the plain subject API
        throw SchemaRegistryException.notFound();
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
                .map(EmbeddedSchemaRegistry::decode)
                .toList();
    }

    private static Map<String, String> query(HttpExchange exchange) {
        String raw = exchange.getRequestURI().getRawQuery();
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return query;
    }

    // a URI keeps '+' literal (URLDecoder is for forms and would make it a space)
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Object register(EmbeddedSchemaRegistry r, Request q) throws IOException {
        return Map.of("id", r.registry.register(q.param(0), schemaFrom(q.exchange())));
    }

    /** 40408 unless the subject has its own level or the client asks for the global fallback. */
    private static Object subjectLevel(EmbeddedSchemaRegistry r, Request q) {
        String subject = q.param(0);
        Optional<Compatibility> own = r.registry.subjectLevel(subject);
        if (own.isEmpty() && !q.flag("defaultToGlobal")) {
            throw SchemaRegistryException.subjectConfigNotFound(subject);
        }
        return level(own.orElseGet(r.registry::globalLevel));
    }

    /** Confluent takes and echoes {@code {"compatibility":..}} on PUT, unlike GET's key. */
    private static Object setLevel(EmbeddedSchemaRegistry r, String subject, Request q) throws IOException {
        JsonNode level = body(q.exchange()).get("compatibility");
        Compatibility parsed = Compatibility.parse(level == null || !level.isTextual() ? null : level.asText());
        r.registry.setLevel(subject, parsed);
        return Map.of("compatibility", parsed.name());
    }

    /** Answers the level that was in force, as Confluent does; 40401 for a subject it never saw. */
    private static Object deleteLevel(EmbeddedSchemaRegistry r, String subject) {
        Compatibility before = subject == null ? r.registry.globalLevel() : r.registry.level(subject);
        if (subject != null && r.registry.subjectLevel(subject).isEmpty()
                && !r.registry.subjects(true).contains(subject)) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        r.registry.setLevel(subject, null);
        return level(before);
    }

    private static Object compatibility(EmbeddedSchemaRegistry r, Request q, String version) throws IOException {
        Schema candidate = schemaFrom(q.exchange());
        List<String> problems = r.registry.compatibilityProblems(q.param(0), candidate, version);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("is_compatible", problems.isEmpty());
        if (q.flag("verbose")) {
            answer.put("messages", problems);
        }
        return answer;
    }

    private static Map<String, Object> level(Compatibility level) {
        return Map.of("compatibilityLevel", level.name());
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

    private static JsonNode body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] raw = in.readNBytes(MAX_BODY_BYTES + 1);
            if (raw.length > MAX_BODY_BYTES) {
                throw new SchemaRegistryException(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
            }
            JsonNode request = Json.MAPPER.readTree(raw);
            return request == null ? Json.MAPPER.createObjectNode() : request;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException(400, 400, "Unparseable request body: " + e.getOriginalMessage());
        }
    }

    private static Schema schemaFrom(HttpExchange exchange) throws IOException {
        JsonNode request = body(exchange);
        JsonNode type = request.get("schemaType");
        if (type != null && !type.isNull() && !type.asText().equals("AVRO")) {
            throw SchemaRegistryException.invalidSchema("only AVRO schemas are supported, not " + type.asText());
        }
        JsonNode schema = request.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw SchemaRegistryException.invalidSchema("request has no \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (RuntimeException e) {
            throw SchemaRegistryException.invalidSchema(e.getMessage());
        }
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("error_code", code).put("message", message);
        return node;
    }
}
