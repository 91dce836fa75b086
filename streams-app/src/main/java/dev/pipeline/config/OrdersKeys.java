package dev.pipeline.config;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/** Keys of the orders capability (exactly-once order processing, dedup, expiry, verifier). */
public final class OrdersKeys {
    private OrdersKeys() {}

    public static final String APPLICATION_ID_CONFIG = "orders.application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application.id of the orders pipeline: "
            + "its consumer group, the prefix of its internal topics and of its transactional ids.";

    public static final String PROCESSING_GUARANTEE_CONFIG = "orders.processing.guarantee";
    private static final String PROCESSING_GUARANTEE_DOC = "Processing guarantee of the orders pipeline. "
            + "exactly_once_v2: results, DLQ records, state and offsets commit in one transaction. "
            + "at_least_once exists for comparison only: after a crash, events are re-applied and results duplicated.";

    public static final String COMMIT_INTERVAL_MS_CONFIG = "orders.commit.interval.ms";
    private static final String COMMIT_INTERVAL_MS_DOC = "How often the orders pipeline commits (ends its transaction). "
            + "Under exactly_once_v2 results become visible to read_committed consumers only at a commit, "
            + "so this bounds the added end-to-end latency.";

    public static final String TRANSACTION_TIMEOUT_MS_CONFIG = "orders.transaction.timeout.ms";
    private static final String TRANSACTION_TIMEOUT_MS_DOC = "transaction.timeout.ms of the orders pipeline's producer. "
            + "Must be at least 10x orders.commit.interval.ms so a slow commit is not aborted by the coordinator; "
            + "also the longest time a crashed instance that never comes back can hold read_committed readers "
            + "(a restarted instance aborts its open transaction at once). At most the broker's transaction.max.timeout.ms.";

    public static final String DEDUP_TTL_MS_CONFIG = "orders.dedup.ttl.ms";
    private static final String DEDUP_TTL_MS_DOC = "How long an applied eventId is remembered (inside its order's state) "
            + "for duplicate suppression. "
            + "A resend that arrives later is no longer recognised as a duplicate; the order state machine then "
            + "rejects it (no transition leads back into the state it produced), so it goes to the DLQ as "
            + "invalid_transition (or expired) instead of being counted as a duplicate. It is never applied twice "
            + "while the order's state exists (see orders.retention.ms). Default 7 days.";

    public static final String RETENTION_MS_CONFIG = "orders.retention.ms";
    private static final String RETENTION_MS_DOC = "How long, in stream time after its last applied event, an order "
            + "in a terminal state (SHIPPED, CANCELLED, EXPIRED; for EXPIRED from its deadline) stays in the stores. "
            + "Then it is deleted from every store, so state holds only the orders of one retention period plus the "
            + "open ones. Later events for a deleted order are judged as for an unknown order: a resent CREATED "
            + "starts the order again (version 1, a new result); anything else is dropped as invalid_transition. "
            + "Must be at least orders.dedup.ttl.ms, so an order is never forgotten while its event ids still count "
            + "as duplicates. Deletion is done by the maintenance punctuator, at most orders.expiry.scan.max timers "
            + "per tick. Default 7 days.";

    public static final String DEDUP_TTL_CLOCK_CONFIG = "orders.dedup.ttl.clock";
    private static final String DEDUP_TTL_CLOCK_DOC = "Clock the dedup TTL is measured in. stream: the task's stream time "
            + "(max record timestamp seen), so replays and backfills behave like the original run; "
            + "wall: the processing host's clock, so entries expire even when no records arrive.";

    public static final String DEDUP_SCAN_MAX_CONFIG = "orders.dedup.scan.max";
    private static final String DEDUP_SCAN_MAX_DOC = "Unused since the dedup ids moved into the order state (they "
            + "leave with their order, so there is no dedup store to scan); accepted so existing config files still load.";

    public static final String PAYMENT_TIMEOUT_MS_CONFIG = "orders.payment.timeout.ms";
    private static final String PAYMENT_TIMEOUT_MS_DOC = "Stream time an order may stay CREATED without being PAID. "
            + "Then one result with status EXPIRED is emitted and later events for the order go to the DLQ as 'expired'. "
            + "'verify orders' must run with the same value.";

    public static final String EXPIRY_SCAN_MAX_CONFIG = "orders.expiry.scan.max";
    private static final String EXPIRY_SCAN_MAX_DOC = "Most due order timers (payment deadlines and retention deletions) "
            + "handled per task per maintenance tick; the rest are handled at the next tick (an event for an overdue "
            + "order expires it on arrival either way).";

    public static final String MAINTENANCE_INTERVAL_MS_CONFIG = "orders.maintenance.interval.ms";
    private static final String MAINTENANCE_INTERVAL_MS_DOC = "Wall-clock period of the per-task maintenance punctuator: "
            + "payment-timeout expiry, retention deletions and the store-size gauges.";

    public static final String VERIFY_TIMEOUT_MS_CONFIG = "orders.verify.timeout.ms";
    private static final String VERIFY_TIMEOUT_MS_DOC = "Bound on how long 'verify orders' reads the topics before giving up.";

    public static final String AUTHORIZATION_URL_CONFIG = "orders.authorization.url";
    private static final String AUTHORIZATION_URL_DOC = "Payment authorization service (http or https URL). Empty (default): "
            + "off, PAID events are applied as they come. Set: every PAID event that the state machine would apply is "
            + "first POSTed there as JSON {eventId, orderId, customerId, amountCents, currency} with header "
            + "Idempotency-Key: <eventId> (at-least-once: a crash or a lost answer repeats the call). 2xx: applied; "
            + "4xx (except 408 and 429): dropped as 'rejected' to the DLQ, the order stays CREATED; 5xx, 408, 429, "
            + "timeout, connection refused: the event is parked with the order's later events behind it, in order, "
            + "and retried (orders.authorization.backoff.*, .max.attempts, .max.elapsed.ms), then 'retries_exhausted'. "
            + "Guarded by the external.circuit.* breaker and external.call.max.concurrency.";

    public static final String AUTHORIZATION_TIMEOUT_MS_CONFIG = "orders.authorization.timeout.ms";
    private static final String AUTHORIZATION_TIMEOUT_MS_DOC = "Per-attempt timeout of an authorization call (connect "
            + "and answer); a timed-out attempt is retryable. The call runs on a worker thread, never on the stream thread.";

    public static final String AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG = "orders.authorization.backoff.initial.ms";
    private static final String AUTHORIZATION_BACKOFF_INITIAL_MS_DOC = "Wait before the first retry of a parked event; "
            + "wait n is min(initial x external.retry.backoff.multiplier^(n-1), max), then +-external.retry.jitter. "
            + "Also the period of the parking punctuator (clamped to 10..1000 ms).";

    public static final String AUTHORIZATION_BACKOFF_MAX_MS_CONFIG = "orders.authorization.backoff.max.ms";
    private static final String AUTHORIZATION_BACKOFF_MAX_MS_DOC = "Longest wait between two attempts of a parked event "
            + "(before jitter). At least orders.authorization.backoff.initial.ms.";

    public static final String AUTHORIZATION_MAX_ATTEMPTS_CONFIG = "orders.authorization.max.attempts";
    private static final String AUTHORIZATION_MAX_ATTEMPTS_DOC = "Attempts (the first call included) before a parked "
            + "event is dropped as 'retries_exhausted' (DLQ, header pipeline.error.attempts) and the order's next "
            + "parked event is judged on its own.";

    public static final String AUTHORIZATION_MAX_ELAPSED_MS_CONFIG = "orders.authorization.max.elapsed.ms";
    private static final String AUTHORIZATION_MAX_ELAPSED_MS_DOC = "Wall-clock time from a parked event's first attempt "
            + "after which no further attempt is scheduled: the event is dropped as 'retries_exhausted'.";

    public static final String PARKING_MAX_RECORDS_CONFIG = "orders.parking.max.records";
    private static final String PARKING_MAX_RECORDS_DOC = "Most events parked per task (waiting for an authorization, "
            + "or behind one of their order). Beyond it a PAID that would park, or a later event of a parked order, is "
            + "dropped as 'overflow' (DLQ): a stuck service must not grow state without bound.";

    /** Empty (off) or an http(s) URL, with a readable "valid values" column in {@code config}. */
    private static final ConfigDef.Validator HTTP_URL_OR_EMPTY = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            LogsKeys.ensureHttpUrl(name, value);
        }

        @Override
        public String toString() {
            return "empty, or an http:// or https:// URL";
        }
    };

    static ConfigDef addTo(ConfigDef def) {
        return def
            .define(APPLICATION_ID_CONFIG, Type.STRING, "pipeline-orders", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, APPLICATION_ID_DOC)
            .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                    ValidString.in(CoreKeys.PROCESSING_GUARANTEES),
                    Importance.HIGH, PROCESSING_GUARANTEE_DOC)
            .define(COMMIT_INTERVAL_MS_CONFIG, Type.LONG, 100L, Range.between(1, 60_000), Importance.MEDIUM,
                    COMMIT_INTERVAL_MS_DOC)
            .define(TRANSACTION_TIMEOUT_MS_CONFIG, Type.INT, 10_000, Range.between(1_000, 900_000), Importance.MEDIUM,
                    TRANSACTION_TIMEOUT_MS_DOC)
            .define(DEDUP_TTL_MS_CONFIG, Type.LONG, 7L * 24 * 3600 * 1000, Range.atLeast(1), Importance.MEDIUM,
                    DEDUP_TTL_MS_DOC)
            .define(RETENTION_MS_CONFIG, Type.LONG, 7L * 24 * 3600 * 1000, Range.atLeast(1), Importance.MEDIUM,
                    RETENTION_MS_DOC)
            .define(DEDUP_TTL_CLOCK_CONFIG, Type.STRING, DedupClock.STREAM.configValue(),
                    CaseInsensitiveValidString.in(Utils.enumOptions(DedupClock.class)),
                    Importance.MEDIUM, DEDUP_TTL_CLOCK_DOC)
            .define(DEDUP_SCAN_MAX_CONFIG, Type.INT, 1_000, Range.between(1, 1_000_000), Importance.LOW,
                    DEDUP_SCAN_MAX_DOC)
            .define(PAYMENT_TIMEOUT_MS_CONFIG, Type.LONG, 30L * 60 * 1000, Range.atLeast(1), Importance.MEDIUM,
                    PAYMENT_TIMEOUT_MS_DOC)
            .define(EXPIRY_SCAN_MAX_CONFIG, Type.INT, 1_000, Range.between(1, 1_000_000), Importance.LOW,
                    EXPIRY_SCAN_MAX_DOC)
            .define(MAINTENANCE_INTERVAL_MS_CONFIG, Type.LONG, 1_000L, Range.between(10, 3_600_000), Importance.LOW,
                    MAINTENANCE_INTERVAL_MS_DOC)
            .define(VERIFY_TIMEOUT_MS_CONFIG, Type.LONG, 120_000L, Range.between(1_000, 3_600_000), Importance.LOW,
                    VERIFY_TIMEOUT_MS_DOC)
            .define(AUTHORIZATION_URL_CONFIG, Type.STRING, "", HTTP_URL_OR_EMPTY, Importance.MEDIUM,
                    AUTHORIZATION_URL_DOC)
            .define(AUTHORIZATION_TIMEOUT_MS_CONFIG, Type.INT, 2_000, Range.between(1, 600_000), Importance.MEDIUM,
                    AUTHORIZATION_TIMEOUT_MS_DOC)
            .define(AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG, Type.LONG, 200L, Range.between(1, 3_600_000), Importance.LOW,
                    AUTHORIZATION_BACKOFF_INITIAL_MS_DOC)
            .define(AUTHORIZATION_BACKOFF_MAX_MS_CONFIG, Type.LONG, 30_000L, Range.between(1, 3_600_000), Importance.LOW,
                    AUTHORIZATION_BACKOFF_MAX_MS_DOC)
            .define(AUTHORIZATION_MAX_ATTEMPTS_CONFIG, Type.INT, 10, Range.between(1, 10_000), Importance.MEDIUM,
                    AUTHORIZATION_MAX_ATTEMPTS_DOC)
            .define(AUTHORIZATION_MAX_ELAPSED_MS_CONFIG, Type.LONG, 300_000L, Range.between(1, 7L * 24 * 3600 * 1000),
                    Importance.MEDIUM, AUTHORIZATION_MAX_ELAPSED_MS_DOC)
            .define(PARKING_MAX_RECORDS_CONFIG, Type.INT, 10_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    PARKING_MAX_RECORDS_DOC);
    }

    static final List<ConfigDefinitions.CrossCheck> CROSS_CHECKS = List.of(OrdersKeys::checkTransactionTimeout,
            OrdersKeys::checkRetention, OrdersKeys::checkBackoff);

    /** Cross-key rule: the backoff cap cannot be below the first wait. */
    static void checkBackoff(PipelineConfig config) {
        long initial = config.getLong(AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG);
        long max = config.getLong(AUTHORIZATION_BACKOFF_MAX_MS_CONFIG);
        if (max < initial) {
            throw new ConfigError("Invalid value '" + max + "' for configuration '" + AUTHORIZATION_BACKOFF_MAX_MS_CONFIG
                    + "': must be at least " + AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG + " (" + initial + "). Allowed: ["
                    + initial + ",...,3600000].");
        }
    }

    /** Cross-key rule: an order must not be forgotten while its event ids still count as duplicates. */
    static void checkRetention(PipelineConfig config) {
        long retention = config.getLong(RETENTION_MS_CONFIG);
        long ttl = config.getLong(DEDUP_TTL_MS_CONFIG);
        if (retention < ttl) {
            throw new ConfigError("Invalid value '" + retention + "' for configuration '" + RETENTION_MS_CONFIG
                    + "': must be at least " + DEDUP_TTL_MS_CONFIG + " (" + ttl + "). Allowed: [" + ttl + ",...].");
        }
    }

    /** Cross-key rule: a transaction must outlive many commit intervals (Jepsen 2024, KIP-890 era advice). */
    static void checkTransactionTimeout(PipelineConfig config) {
        long commit = config.getLong(COMMIT_INTERVAL_MS_CONFIG);
        int timeout = config.getInt(TRANSACTION_TIMEOUT_MS_CONFIG);
        if (timeout < 10 * commit) {
            throw new ConfigError("Invalid value '" + timeout + "' for configuration '" + TRANSACTION_TIMEOUT_MS_CONFIG
                    + "': must be at least 10 x " + COMMIT_INTERVAL_MS_CONFIG + " (" + commit + ") = " + 10 * commit
                    + ". Allowed: [" + 10 * commit + ",...,900000].");
        }
    }
}
