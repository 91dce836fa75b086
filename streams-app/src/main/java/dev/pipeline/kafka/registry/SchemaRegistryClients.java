package dev.pipeline.kafka.registry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds a {@link SchemaRegistryClient} from Confluent's configuration keys, so the same
 * properties work for our serdes and Confluent's.
 */
public final class SchemaRegistryClients {
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Confluent's name for the request timeout, in milliseconds. */
    public static final String REQUEST_TIMEOUT_MS = "http.read.timeout.ms";
    /** Entries per client cache (Confluent's key for the same bound). */
    public static final String CACHE_CAPACITY = "max.schemas.per.subject";
    /** Read by the serde, not the client: when false the serializer never registers. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /**
     * Read by the serde: with auto-registration off, write with the subject's latest version even
     * when it is not the record's own schema (Confluent's key; ignored while auto-registering).
     */
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String MOCK_SCHEME = "mock://";

    private static final Map<String, InMemorySchemaRegistryClient> MOCKS = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {}

    /**
     * {@code mock://scope} gives the in-memory registry shared by every client with that scope in
     * this JVM (as Confluent does); anything else an {@link HttpSchemaRegistryClient}.
     *
     * @throws ConfigException if the URL is missing or a value has the wrong form
     */
    public static SchemaRegistryClient create(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, "a schema registry URL is required");
        }
        String urls = url.toString().trim();
        if (urls.startsWith(MOCK_SCHEME)) {
            return mock(urls.substring(MOCK_SCHEME.length()));
        }
        Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
        if (userInfo != null && !userInfo.toString().isEmpty() && !userInfo.toString().contains(":")) {
            // do not echo the value: it is a secret
            throw new ConfigException(BASIC_AUTH_USER_INFO + " must have the form user:password");
        }
        long timeoutMs = positiveLong(configs, REQUEST_TIMEOUT_MS, HttpSchemaRegistryClient.DEFAULT_TIMEOUT.toMillis());
        long capacity = positiveLong(configs, CACHE_CAPACITY, HttpSchemaRegistryClient.DEFAULT_CACHE_CAPACITY);
        return new HttpSchemaRegistryClient(urls, userInfo == null ? null : userInfo.toString(),
                Duration.ofMillis(timeoutMs), (int) Math.min(capacity, Integer.MAX_VALUE));
    }

    /** The shared in-memory registry for {@code mock://scope}. */
    public static InMemorySchemaRegistryClient mock(String scope) {
        return MOCKS.computeIfAbsent(scope, s -> new InMemorySchemaRegistryClient());
    }

    /** Forgets {@code mock://scope}, so tests reusing a scope name start empty. */
    public static void dropMock(String scope) {
        MOCKS.remove(scope);
    }

    /** {@code auto.register.schemas}: true unless set to false. */
    public static boolean autoRegister(Map<String, ?> configs) {
        return flag(configs, AUTO_REGISTER_SCHEMAS, true);
    }

    /** {@code use.latest.version}: false unless set to true. */
    public static boolean useLatestVersion(Map<String, ?> configs) {
        return flag(configs, USE_LATEST_VERSION, false);
    }

    private static boolean flag(Map<String, ?> configs, String key, boolean fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim();
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new ConfigException(key, value, "expected true or false");
        }
        return Boolean.parseBoolean(text);
    }

    private static long positiveLong(Map<String, ?> configs, String key, long fallback) {
        Object value = configs.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.toString().trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key, value, "expected a positive integer");
    }
}
