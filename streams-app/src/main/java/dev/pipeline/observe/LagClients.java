package dev.pipeline.observe;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The settings of {@link LagMonitor}'s two clients, from the app's Kafka settings: only the keys
 * each client knows, plus timeouts of {@code lag.admin.timeout.ms} and short reconnect backoffs,
 * so a sample against an unreachable broker ends in time and the next one finds it again soon.
 * The timestamp consumer joins no group and commits nothing: it only reads single records.
 */
final class LagClients {
    private LagClients() {}

    static Map<String, Object> adminProps(Map<String, ?> clientProps, LagSettings s) {
        Map<String, Object> p = known(clientProps, AdminClientConfig.configNames());
        int t = (int) s.adminTimeout().toMillis();
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, LagMonitor.CLIENT_ID);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, t);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, t);
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1_000);
        return p;
    }

    static Map<String, Object> consumerProps(Map<String, ?> clientProps, LagSettings s) {
        Map<String, Object> p = known(clientProps, ConsumerConfig.configNames());
        int t = (int) s.adminTimeout().toMillis();
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, LagMonitor.CLIENT_ID + "-timestamps");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1024 * 1024);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, t);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, t);
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        return p;
    }

    /** Only the settings this client knows (the app's Kafka settings also hold Streams and producer keys). */
    private static Map<String, Object> known(Map<String, ?> props, Set<String> names) {
        Map<String, Object> p = new HashMap<>();
        props.forEach((k, v) -> {
            if (names.contains(k)) {
                p.put(k, v);
            }
        });
        return p;
    }
}
