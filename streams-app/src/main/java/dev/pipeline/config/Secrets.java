package dev.pipeline.config;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;

/** Which keys hold secrets, and redaction for anything that prints or serves configuration. */
public final class Secrets {
    private Secrets() {}

    public static final String REDACTED = "[redacted]";
    private static final Pattern SSL_KEY = Pattern.compile("ssl\\..*key.*");

    /**
     * Keys the Kafka clients themselves type as PASSWORD (and print as [hidden]), e.g.
     * sasl.jaas.config, sasl.oauthbearer.assertion.private.key.passphrase, ssl.keystore.key.
     */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswordKeys();

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("secret") || k.contains("passphrase")
                || k.equals("basic.auth.user.info") || SSL_KEY.matcher(k).matches()) {
            return true;
        }
        // also with a client prefix: producer.sasl.jaas.config, main.consumer.ssl.keystore.key, ...
        for (String p : KAFKA_PASSWORDS) {
            if (k.equals(p) || k.endsWith("." + p)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> kafkaPasswordKeys() {
        Set<String> keys = new TreeSet<>();
        for (ConfigDef def : new ConfigDef[] {ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef(), StreamsConfig.configDef()}) {
            def.configKeys().values().stream().filter(c -> c.type == ConfigDef.Type.PASSWORD).forEach(c -> keys.add(c.name));
        }
        return Set.copyOf(keys);
    }

    public static String redact(String key, Object value) {
        if (value == null) {
            return null;
        }
        return isSecret(key) && !String.valueOf(value).isEmpty() ? REDACTED : String.valueOf(value);
    }

    public static Map<String, String> redactAll(Map<String, ?> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, redact(k, v)));
        return out;
    }
}
