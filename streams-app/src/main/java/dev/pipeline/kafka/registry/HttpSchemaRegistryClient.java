package dev.pipeline.kafka.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Client for a Confluent-compatible registry over HTTP. Registered ids (per subject and schema)
 * and schemas by id never change once handed out, so both are cached and a registry outage only
 * fails schemas this process has not seen yet. {@code latest}, {@code subjects} and {@code
 * isCompatible} do change and always ask the registry.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    public static final int DEFAULT_CACHE_CAPACITY = 1000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final List<String> baseUrls;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;
    private final BoundedCache<String, Integer> idBySubjectAndSchema;
    private final BoundedCache<Integer, Schema> schemaById;

    public HttpSchemaRegistryClient(String baseUrls) {
        this(baseUrls, null, DEFAULT_TIMEOUT, DEFAULT_CACHE_CAPACITY);
    }

    /**
     * @param baseUrls one URL, or several separated by commas that are tried in order when one
     *     cannot be reached, e.g. {@code http://localhost:8080/registry}
     * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or null for none
     * @param requestTimeout bound on connecting and on each request
     * @param cacheCapacity entries per cache (ids and schemas)
     */
    public HttpSchemaRegistryClient(String baseUrls, String basicAuthUserInfo, Duration requestTimeout,
            int cacheCapacity) {
        this.baseUrls = Arrays.stream(baseUrls.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s)
                .toList();
        if (this.baseUrls.isEmpty()) {
            throw new IllegalArgumentException("no schema registry URL in '" + baseUrls + "'");
        }
        this.authorization = basicAuthUserInfo == null || basicAuthUserInfo.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        this.timeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
        this.idBySubjectAndSchema = new BoundedCache<>(cacheCapacity);
        this.schemaById = new BoundedCache<>(cacheCapacity);
    }

    @Override
    public int register(String subject, Schema schema) {
        String canonical = InMemorySchemaRegistryClient.canonical(schema);
        String key = subject + '\u0000' + canonical;
        Integer cached = idBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = send("POST", "/subjects/" + encode(subject) + "/versions", Map.of("schema", canonical));
        int id = requiredInt(reply, "id");
        idBySubjectAndSchema.put(key, id);
        schemaById.put(id, schema);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = parse(requiredText(send("GET", "/schemas/ids/" + id, null), "schema"));
        schemaById.put(id, schema);
        return schema;
    }

    @Override
    public SchemaVersion latest(String subject) {
        JsonNode reply = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        SchemaVersion v = new SchemaVersion(subject, requiredInt(reply, "version"), requiredInt(reply, "id"),
                parse(requiredText(reply, "schema")));
        schemaById.put(v.id(), v.schema());
        return v;
    }

    @Override
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).forEach(node -> subjects.add(node.asText()));
        return subjects;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        JsonNode reply = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                Map.of("schema", schema.toString()));
        JsonNode answer = reply.get("is_compatible");
        if (answer == null || !answer.isBoolean()) {
            throw malformed("no boolean is_compatible in " + reply);
        }
        return answer.booleanValue();
    }

    private JsonNode send(String method, String path, Object body) {
        SchemaRegistryException unreachable = null;
        for (String base : baseUrls) {
            HttpRequest request = request(method, base + path, body);
            try {
                return reply(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
            } catch (IOException e) {
                unreachable = new SchemaRegistryException(0, SchemaRegistryException.UNREACHABLE,
                        "schema registry unreachable: " + method + " " + request.uri() + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException(0, SchemaRegistryException.UNREACHABLE,
                        "interrupted calling schema registry: " + method + " " + request.uri(), e);
            }
        }
        throw unreachable;
    }

    private HttpRequest request(String method, String url, Object body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .header("Accept", CONTENT_TYPE);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        try {
            return builder.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                    .build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode request body", e);
        }
    }

    private static JsonNode reply(HttpResponse<byte[]> response) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        int status = response.statusCode();
        if (status / 100 == 2 && json != null) {
            return json;
        }
        if (json != null && json.has("error_code")) {
            throw new SchemaRegistryException(status, json.get("error_code").asInt(), json.path("message").asText());
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        throw new SchemaRegistryException(status, status, "HTTP " + status + " from " + response.uri() + ": "
                + (text.length() > 200 ? text.substring(0, 200) + "..." : text));
    }

    private static String encode(String subject) {
        // URLEncoder is for forms: '+' would mean a literal plus in a path
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Schema parse(String text) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw malformed("unparseable schema from registry: " + e.getMessage());
        }
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isInt()) {
            throw malformed("no integer " + field + " in " + node);
        }
        return value.intValue();
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw malformed("no string " + field + " in " + node);
        }
        return value.asText();
    }

    private static SchemaRegistryException malformed(String why) {
        return new SchemaRegistryException(200, 50000, "malformed schema registry reply: " + why);
    }
}
