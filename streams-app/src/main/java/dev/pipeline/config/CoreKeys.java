package dev.pipeline.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

/** Keys every command understands: registry, HTTP, state, topics, lifecycle. */
public final class CoreKeys {
    private CoreKeys() {}

    /**
     * The processing guarantees a pipeline's {@code *.processing.guarantee} key allows: Kafka
     * Streams' own values (its deprecated ones excluded), named once for both pipelines.
     */
    static final String[] PROCESSING_GUARANTEES = {StreamsConfig.AT_LEAST_ONCE, StreamsConfig.EXACTLY_ONCE_V2};

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final String SCHEMA_REGISTRY_URL_DOC = "Confluent-compatible schema registry URL. "
            + "Empty: the embedded registry at http://localhost:<http.port>/registry (embedded broker only).";

    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    private static final String AUTO_REGISTER_SCHEMAS_DOC = "Register the app's schemas when serializing; "
            + "when false, the latest version registered under the subject is used if it is the app's schema.";

    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    private static final String USE_LATEST_VERSION_DOC = "With auto.register.schemas=false: write with the "
            + "subject's latest version even when it is not the app's schema, as long as it can read the app's "
            + "records (they are re-encoded into it). Ignored while auto-registering.";

    public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
    private static final String BASIC_AUTH_USER_INFO_DOC = "user:password for the schema registry (redacted when printed).";

    public static final String DEMO_RATE_CONFIG = "demo.rate";
    private static final String DEMO_RATE_DOC = "Records/s of demo load that 'run' produces to each input topic. "
            + "-1 = 50/s with the embedded broker and off against a given cluster; 0 = off.";

    public static final String HTTP_BIND_ADDRESS_CONFIG = "http.bind.address";
    private static final String HTTP_BIND_ADDRESS_DOC = "Address the HTTP server binds; loopback unless you mean to expose it.";

    public static final String HTTP_PORT_CONFIG = "http.port";
    private static final String HTTP_PORT_DOC = "HTTP port for /metrics, /health, /api, the dashboard and the embedded registry; 0 = random (printed at start).";

    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC = "Directory for Kafka Streams state stores and the embedded broker's log dirs.";

    public static final String TOPIC_LOGS_RAW_CONFIG = "topic.logs.raw";
    public static final String TOPIC_LOGS_AGGREGATED_CONFIG = "topic.logs.aggregated";
    public static final String TOPIC_ORDERS_CONFIG = "topic.orders";
    public static final String TOPIC_ORDERS_PROCESSED_CONFIG = "topic.orders.processed";
    public static final String TOPIC_DLQ_CONFIG = "topic.dlq";

    public static final String TOPIC_PARTITIONS_CONFIG = "topic.partitions";
    private static final String TOPIC_PARTITIONS_DOC = "Partitions for topics the app creates (existing topics are never altered). "
            + "Sizing rule: partitions >= instances x stream threads.";

    public static final String TOPIC_REPLICATION_FACTOR_CONFIG = "topic.replication.factor";
    private static final String TOPIC_REPLICATION_FACTOR_DOC = "Replication factor for topics the app creates; -1 = the broker's default.";

    public static final String EMBEDDED_BROKER_PORT_CONFIG = "embedded.broker.port";
    private static final String EMBEDDED_BROKER_PORT_DOC = "Client port of the embedded broker (used only when no bootstrap servers are given); 0 = random.";

    public static final String ADMIN_TIMEOUT_MS_CONFIG = "admin.timeout.ms";
    private static final String ADMIN_TIMEOUT_MS_DOC = "Bound on start-up calls to the cluster (topic provisioning); "
            + "unreachable bootstrap servers fail the start after this long.";

    public static final String SHUTDOWN_TIMEOUT_MS_CONFIG = "shutdown.timeout.ms";
    private static final String SHUTDOWN_TIMEOUT_MS_DOC = "Bound on a graceful drain (flush buffers, commit, close) after SIGTERM.";

    public static final String ROCKSDB_MEMORY_MAX_BYTES_CONFIG = "rocksdb.memory.max.bytes";
    private static final String ROCKSDB_MEMORY_MAX_BYTES_DOC = "Cap on the off-heap memory of all RocksDB stores "
            + "of this process together (block cache with index/filter blocks, and memtables), shared by every "
            + "pipeline, task and standby. 0 = Kafka Streams' defaults: per store instance ~50 MB cache + 3 x 16 MB "
            + "memtables, unbounded in total. Cannot be combined with rocksdb.config.setter.";

    static ConfigDef addTo(ConfigDef def) {
        return def
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, "", Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
            .define(USE_LATEST_VERSION_CONFIG, Type.BOOLEAN, false, Importance.LOW, USE_LATEST_VERSION_DOC)
            .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, BASIC_AUTH_USER_INFO_DOC)
            .define(DEMO_RATE_CONFIG, Type.INT, -1, Range.atLeast(-1), Importance.LOW, DEMO_RATE_DOC)
            .define(HTTP_BIND_ADDRESS_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM, HTTP_BIND_ADDRESS_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM, HTTP_PORT_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, "state", new ConfigDef.NonEmptyString(), Importance.HIGH, STATE_DIR_DOC)
            .define(TOPIC_LOGS_RAW_CONFIG, Type.STRING, "logs-raw", new ConfigDef.NonEmptyString(), Importance.MEDIUM, "Input topic of LogEvents (key: service).")
            .define(TOPIC_LOGS_AGGREGATED_CONFIG, Type.STRING, "logs-aggregated", new ConfigDef.NonEmptyString(), Importance.MEDIUM, "Output topic of LogBatches (key: service).")
            .define(TOPIC_ORDERS_CONFIG, Type.STRING, "orders", new ConfigDef.NonEmptyString(), Importance.MEDIUM, "Input topic of OrderEvents (key: order id).")
            .define(TOPIC_ORDERS_PROCESSED_CONFIG, Type.STRING, "orders-processed", new ConfigDef.NonEmptyString(), Importance.MEDIUM, "Output topic of OrderResults (key: order id).")
            .define(TOPIC_DLQ_CONFIG, Type.STRING, "pipeline-dlq", new ConfigDef.NonEmptyString(), Importance.MEDIUM, "Dead-letter topic: original key/value bytes with pipeline.error.* headers.")
            .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 4, Range.between(1, 10_000), Importance.MEDIUM, TOPIC_PARTITIONS_DOC)
            .define(TOPIC_REPLICATION_FACTOR_CONFIG, Type.SHORT, (short) -1, Range.between(-1, 32), Importance.MEDIUM, TOPIC_REPLICATION_FACTOR_DOC)
            .define(EMBEDDED_BROKER_PORT_CONFIG, Type.INT, 9092, Range.between(0, 65535), Importance.LOW, EMBEDDED_BROKER_PORT_DOC)
            .define(ADMIN_TIMEOUT_MS_CONFIG, Type.INT, 15_000, Range.between(1_000, 600_000), Importance.LOW, ADMIN_TIMEOUT_MS_DOC)
            .define(ROCKSDB_MEMORY_MAX_BYTES_CONFIG, Type.LONG, 0L, Range.atLeast(0L), Importance.MEDIUM, ROCKSDB_MEMORY_MAX_BYTES_DOC)
            .define(SHUTDOWN_TIMEOUT_MS_CONFIG, Type.INT, 30_000, Range.between(1_000, 600_000), Importance.MEDIUM, SHUTDOWN_TIMEOUT_MS_DOC);
    }
}
