package dev.pipeline.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.types.Password;

/**
 * Effective configuration: the app's typed keys plus the settings passed through untouched to
 * the Kafka clients. Immutable; derive variants with {@link #with(Map)}.
 */
public final class PipelineConfig {
    private final Map<String, Object> app;
    private final Map<String, String> kafka;
    private final Map<String, String> raw;

    PipelineConfig(Map<String, Object> app, Map<String, String> kafka, Map<String, String> raw) {
        this.app = Collections.unmodifiableMap(new TreeMap<>(app));
        this.kafka = Collections.unmodifiableMap(new TreeMap<>(kafka));
        this.raw = Collections.unmodifiableMap(new TreeMap<>(raw));
    }

    /** All defaults, no Kafka settings: the base for tests. */
    public static PipelineConfig defaults() {
        return ConfigLoader.fromMap(Map.of());
    }

    /** This config with some keys (app or Kafka client keys) replaced; validated like any source. */
    public PipelineConfig with(Map<String, ?> overrides) {
        Map<String, String> merged = new HashMap<>(raw);
        kafka.forEach(merged::put);
        overrides.forEach((k, v) -> merged.put(k, String.valueOf(v)));
        return ConfigLoader.fromMap(merged);
    }

    /**
     * Whether the user gave {@code key} (file, environment or flag) rather than leaving it at its
     * default: for a shared key whose default is meant for one caller and wrong for another.
     */
    public boolean given(String key) {
        value(key); // refuses a key that is not the app's
        return raw.containsKey(key);
    }

    public String getString(String key) {
        Object v = value(key);
        return v instanceof Password p ? p.value() : (String) v;
    }

    public int getInt(String key) {
        return ((Number) value(key)).intValue();
    }

    public long getLong(String key) {
        return ((Number) value(key)).longValue();
    }

    public short getShort(String key) {
        return ((Number) value(key)).shortValue();
    }

    public double getDouble(String key) {
        return ((Number) value(key)).doubleValue();
    }

    public boolean getBoolean(String key) {
        return (Boolean) value(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(String key) {
        return (List<String>) value(key);
    }

    /** Settings for every Kafka client the app creates (bootstrap.servers, security, tuning). */
    public Map<String, String> kafkaClientProps() {
        return kafka;
    }

    public Optional<String> bootstrapServers() {
        String b = kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return b == null || b.isBlank() ? Optional.empty() : Optional.of(b);
    }

    /** No bootstrap servers given: the app starts its own broker (and registry). */
    public boolean embeddedBroker() {
        return bootstrapServers().isEmpty();
    }

    public Path stateDir() {
        return Path.of(getString(CoreKeys.STATE_DIR_CONFIG));
    }

    /** Every app key and Kafka setting with secrets redacted, for printing and /api/config. */
    public Map<String, Map<String, String>> redacted() {
        Map<String, Object> appPrintable = new TreeMap<>();
        app.forEach((k, v) -> appPrintable.put(k, v instanceof Password p ? p.value() : v));
        return Map.of("app", Secrets.redactAll(appPrintable), "kafka", Secrets.redactAll(kafka));
    }

    private Object value(String key) {
        if (!app.containsKey(key)) {
            throw new IllegalArgumentException("not an app configuration key: " + key);
        }
        return app.get(key);
    }

    @Override
    public String toString() {
        return "PipelineConfig" + redacted();
    }
}
