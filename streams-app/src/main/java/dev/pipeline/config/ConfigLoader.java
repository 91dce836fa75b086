package dev.pipeline.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Builds the effective configuration from, lowest precedence first: defaults, the properties
 * file, the environment ({@code PIPELINE_FOO_BAR} → app key {@code foo.bar}, {@code KAFKA_FOO_BAR}
 * → Kafka client key {@code foo.bar}), then command-line flags.
 *
 * <p>In the file and in flags, a key is an app key if {@link ConfigDefinitions} defines it, a
 * Kafka client key if a Kafka client or Streams defines it (or it carries the {@code kafka.}
 * prefix, which is stripped); anything else is refused, so a typo never passes silently.
 */
public final class ConfigLoader {
    public static final String APP_ENV_PREFIX = "PIPELINE_";
    public static final String KAFKA_ENV_PREFIX = "KAFKA_";
    public static final String KAFKA_KEY_PREFIX = "kafka.";

    private static final Set<String> KAFKA_CLIENT_KEYS = kafkaClientKeys();
    private static final String[] KAFKA_CLIENT_PREFIXES = {
        StreamsConfig.PRODUCER_PREFIX, StreamsConfig.CONSUMER_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX,
        StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX,
        StreamsConfig.TOPIC_PREFIX
    };

    private ConfigLoader() {}

    /** Loads from all sources; throws {@link ConfigError} with the key, value, source and what is allowed. */
    public static PipelineConfig load(Optional<Path> file, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> app = new LinkedHashMap<>();
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> origin = new HashMap<>();
        file.ifPresent(f -> readFile(f).forEach((k, v) -> put(k, v, "file " + f, app, kafka, origin)));
        env.forEach((name, v) -> fromEnv(name, v, app, kafka, origin));
        flags.forEach((k, v) -> put(k, v, "command line", app, kafka, origin));
        return build(app, kafka, origin);
    }

    /** One flat map of app and Kafka keys (tests, {@link PipelineConfig#with}). */
    static PipelineConfig fromMap(Map<String, String> values) {
        return load(Optional.empty(), Map.of(), values);
    }

    private static void fromEnv(String name, String value, Map<String, String> app, Map<String, String> kafka,
            Map<String, String> origin) {
        if (name.startsWith(APP_ENV_PREFIX)) {
            String key = envToKey(name.substring(APP_ENV_PREFIX.length()));
            if (ConfigDefinitions.definition().configKeys().containsKey(key)) {
                app.put(key, value);
                origin.put(key, "env " + name);
            } else {
                throw new ConfigError("Unknown configuration key '" + key + "' (from env " + name
                        + "). Run 'config' to list the app's keys.");
            }
        } else if (name.startsWith(KAFKA_ENV_PREFIX)) {
            String key = envToKey(name.substring(KAFKA_ENV_PREFIX.length()));
            // KAFKA_HOME, KAFKA_HEAP_OPTS and friends are not client settings: only pass known ones.
            if (isKafkaClientKey(key)) {
                kafka.put(key, value);
                origin.put(key, "env " + name);
            }
        }
    }

    private static void put(String key, String value, String source, Map<String, String> app,
            Map<String, String> kafka, Map<String, String> origin) {
        if (ConfigDefinitions.definition().configKeys().containsKey(key)) {
            app.put(key, value);
        } else if (key.startsWith(KAFKA_KEY_PREFIX)) {
            key = key.substring(KAFKA_KEY_PREFIX.length());
            kafka.put(key, value);
        } else if (isKafkaClientKey(key)) {
            kafka.put(key, value);
        } else {
            throw new ConfigError("Unknown configuration key '" + key + "' (from " + source
                    + "). Run 'config' to list the app's keys; pass other Kafka client settings as 'kafka." + key + "'.");
        }
        origin.put(key, source);
    }

    private static PipelineConfig build(Map<String, String> app, Map<String, String> kafka, Map<String, String> origin) {
        ConfigDef def = ConfigDefinitions.definition();
        Map<String, Object> parsed = new HashMap<>();
        for (ConfigDef.ConfigKey key : def.configKeys().values()) {
            String given = app.get(key.name);
            Object value;
            try {
                value = given == null ? key.defaultValue : ConfigDef.parseType(key.name, given.trim(), key.type);
                if (key.validator != null && given != null) {
                    key.validator.ensureValid(key.name, value);
                }
            } catch (ConfigException e) {
                throw new ConfigError(describeInvalid(key, given, origin.get(key.name), e));
            }
            parsed.put(key.name, value);
        }
        PipelineConfig config = new PipelineConfig(parsed, kafka, app);
        ConfigDefinitions.crossChecks().forEach(c -> c.check(config));
        return config;
    }

    private static String describeInvalid(ConfigDef.ConfigKey key, String given, String source, ConfigException e) {
        String shown = Secrets.isSecret(key.name) ? Secrets.REDACTED : given;
        String allowed = key.validator != null ? key.validator.toString()
                : "a value of type " + key.type.name().toLowerCase(Locale.ROOT);
        String reason = e.getMessage() == null ? "" : e.getMessage().replaceFirst("^Invalid value .*? for configuration \\S+: ?", "");
        return "Invalid value '" + shown + "' for configuration '" + key.name + "'"
                + (source == null ? "" : " (from " + source + ")") + ": " + reason
                + (reason.isEmpty() ? "" : ". ") + "Allowed: " + allowed + ".";
    }

    private static String envToKey(String suffix) {
        return suffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static boolean isKafkaClientKey(String key) {
        if (KAFKA_CLIENT_KEYS.contains(key)) {
            return true;
        }
        for (String p : KAFKA_CLIENT_PREFIXES) {
            if (key.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> kafkaClientKeys() {
        Set<String> keys = new HashSet<>();
        keys.addAll(StreamsConfig.configDef().names());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return Set.copyOf(keys);
    }

    private static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (IOException e) {
            throw new ConfigError("Cannot read configuration file '" + file + "': " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, props.getProperty(k).trim()));
        return out;
    }
}
