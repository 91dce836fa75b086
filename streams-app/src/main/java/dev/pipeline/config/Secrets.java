package dev.pipeline.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Which keys hold secrets, and redaction for anything that prints or serves configuration. */
public final class Secrets {
    private Secrets() {}

    public static final String REDACTED = "[redacted]";
    private static final Pattern SSL_KEY = Pattern.compile("ssl\\..*key.*");

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.equals("sasl.jaas.config")
                || k.equals("basic.auth.user.info") || SSL_KEY.matcher(k).matches();
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
