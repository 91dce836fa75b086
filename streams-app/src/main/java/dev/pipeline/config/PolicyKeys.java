package dev.pipeline.config;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Keys of the policy capability: what happens to a record that fails (Kafka Streams' exception
 * handlers), how an external call is retried and guarded, input validation limits and the
 * conservation check. The allowed values of the policy keys are the constants of {@link ErrorPolicy}
 * and {@link CircuitOpenPolicy} (here, at the bottom layer, so config validates from the enums and
 * the policy package applies them).
 */
public final class PolicyKeys {
    private PolicyKeys() {}

    private static final String ERROR_POLICY_DOC = " CONTINUE_TO_DLQ: write the original record to the "
            + "dead-letter topic with its reason and go on with the next record (nothing is lost, the record can be "
            + "replayed). FAIL: write it to the dead-letter topic and stop the stream thread (the app exits non-zero; "
            + "under exactly-once the dead-letter write is aborted with the transaction).";

    public static final String ERRORS_DESERIALIZATION_POLICY_CONFIG = "errors.deserialization.policy";
    private static final String ERRORS_DESERIALIZATION_POLICY_DOC = "What to do with an input record whose key or "
            + "value cannot be deserialized (reason 'deserialization')." + ERROR_POLICY_DOC;

    public static final String ERRORS_PROCESSING_POLICY_CONFIG = "errors.processing.policy";
    private static final String ERRORS_PROCESSING_POLICY_DOC = "What to do when a processor throws for a record "
            + "(reason 'processing', or the reason a RecordRejectedException carries)." + ERROR_POLICY_DOC;

    public static final String ERRORS_PRODUCTION_POLICY_CONFIG = "errors.production.policy";
    private static final String ERRORS_PRODUCTION_POLICY_DOC = "What to do when an output record cannot be "
            + "serialized or written (reason 'production'; 'retries_exhausted' when the producer's own retries, "
            + "bounded by delivery.timeout.ms, ran out on a retriable error)." + ERROR_POLICY_DOC;

    public static final String EXTERNAL_CALL_TIMEOUT_MS_CONFIG = "external.call.timeout.ms";
    private static final String EXTERNAL_CALL_TIMEOUT_MS_DOC = "Deadline of one attempt of an external call "
            + "(e.g. the logs HTTP sink); an attempt that exceeds it is abandoned and counts as a failure.";

    public static final String EXTERNAL_CALL_MAX_CONCURRENCY_CONFIG = "external.call.max.concurrency";
    private static final String EXTERNAL_CALL_MAX_CONCURRENCY_DOC = "Attempts of one guarded call that may run "
            + "at once (worker threads); as many more may wait (their wait counts against the call timeout); an "
            + "attempt beyond that fails at once and counts as a failure.";

    public static final String EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG = "external.retry.max.attempts";
    private static final String EXTERNAL_RETRY_MAX_ATTEMPTS_DOC = "Attempts of an external call, the first "
            + "included; when they are used up the record is dropped as 'retries_exhausted'.";

    public static final String EXTERNAL_RETRY_INITIAL_BACKOFF_MS_CONFIG = "external.retry.initial.backoff.ms";
    private static final String EXTERNAL_RETRY_INITIAL_BACKOFF_MS_DOC = "Wait before the first retry; each "
            + "further wait is multiplied by external.retry.backoff.multiplier, up to external.retry.max.backoff.ms.";

    public static final String EXTERNAL_RETRY_BACKOFF_MULTIPLIER_CONFIG = "external.retry.backoff.multiplier";
    private static final String EXTERNAL_RETRY_BACKOFF_MULTIPLIER_DOC = "Growth factor of the wait between retries.";

    public static final String EXTERNAL_RETRY_MAX_BACKOFF_MS_CONFIG = "external.retry.max.backoff.ms";
    private static final String EXTERNAL_RETRY_MAX_BACKOFF_MS_DOC = "Cap on one wait between retries (before jitter).";

    public static final String EXTERNAL_RETRY_JITTER_CONFIG = "external.retry.jitter";
    private static final String EXTERNAL_RETRY_JITTER_DOC = "Randomisation of each wait: a wait w becomes uniform "
            + "in [w(1-j), w(1+j)], so callers that failed together do not retry together.";

    public static final String EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG = "external.retry.max.elapsed.ms";
    private static final String EXTERNAL_RETRY_MAX_ELAPSED_MS_DOC = "Cap on the total time of one guarded call, "
            + "attempts and waits included: an attempt that could not finish within it is not started (the record "
            + "is dropped as 'retries_exhausted'). The worst case of the retry settings must stay below the "
            + "consumer's max.poll.interval.ms; the app refuses to start otherwise.";

    public static final String EXTERNAL_CIRCUIT_FAILURE_RATE_THRESHOLD_CONFIG = "external.circuit.failure.rate.threshold";
    private static final String EXTERNAL_CIRCUIT_FAILURE_RATE_THRESHOLD_DOC = "Percentage of failed attempts in "
            + "the sliding window at which the circuit breaker opens.";

    public static final String EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG = "external.circuit.window.calls";
    private static final String EXTERNAL_CIRCUIT_WINDOW_CALLS_DOC = "Size of the breaker's sliding window, in attempts.";

    public static final String EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG = "external.circuit.minimum.calls";
    private static final String EXTERNAL_CIRCUIT_MINIMUM_CALLS_DOC = "Attempts the window needs before the failure "
            + "rate is evaluated (fewer never open the breaker).";

    public static final String EXTERNAL_CIRCUIT_OPEN_WAIT_MS_CONFIG = "external.circuit.open.wait.ms";
    private static final String EXTERNAL_CIRCUIT_OPEN_WAIT_MS_DOC = "How long the breaker stays open (failing "
            + "fast) before it lets trial calls through (half-open).";

    public static final String EXTERNAL_CIRCUIT_HALF_OPEN_CALLS_CONFIG = "external.circuit.half.open.calls";
    private static final String EXTERNAL_CIRCUIT_HALF_OPEN_CALLS_DOC = "Trial attempts in the half-open state; "
            + "their failure rate decides between closing and opening again.";

    public static final String EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG = "external.circuit.open.policy";
    private static final String EXTERNAL_CIRCUIT_OPEN_POLICY_DOC = "What happens to a record whose call is refused "
            + "because the breaker is open. DEAD_LETTER: drop it as 'circuit_open' to the dead-letter topic (the "
            + "pipeline keeps flowing; replay from the DLQ). HOLD: the caller keeps the record and tries again later; "
            + "nothing is dropped while its buffer has room, then the buffer's overflow policy applies. "
            + "The orders pipeline's payment authorization reads it differently: its events park (HOLD) unless "
            + "this key is set to DEAD_LETTER explicitly; the default applies to the logs sink only.";

    public static final String VALIDATION_MAX_STRING_CHARS_CONFIG = "validation.max.string.chars";
    public static final int VALIDATION_MAX_STRING_CHARS_DEFAULT = 32_768;
    private static final String VALIDATION_MAX_STRING_CHARS_DOC = "Longest string field an input event may carry; "
            + "a longer one is rejected as 'processing'.";

    public static final String VALIDATION_MAX_FUTURE_SKEW_MS_CONFIG = "validation.max.future.skew.ms";
    private static final String VALIDATION_MAX_FUTURE_SKEW_MS_DOC = "How far past the wall clock an event timestamp "
            + "may be; later ones (and negative ones) are rejected as 'processing'.";

    public static final String CONSERVATION_CHECK_INTERVAL_MS_CONFIG = "conservation.check.interval.ms";
    private static final String CONSERVATION_CHECK_INTERVAL_MS_DOC = "Wall-clock period of each task's conservation "
            + "check (in = out + dlq + dropped + buffered over the task's ledger).";

    /** Kafka's consumer default, which Kafka Streams keeps. */
    static final int MAX_POLL_INTERVAL_MS_DEFAULT = 300_000;

    static ConfigDef addTo(ConfigDef def) {
        return def
            .define(ERRORS_DESERIALIZATION_POLICY_CONFIG, Type.STRING, ErrorPolicy.CONTINUE_TO_DLQ.name(),
                    ValidString.in(Utils.enumOptions(ErrorPolicy.class)),
                    Importance.HIGH, ERRORS_DESERIALIZATION_POLICY_DOC)
            .define(ERRORS_PROCESSING_POLICY_CONFIG, Type.STRING, ErrorPolicy.CONTINUE_TO_DLQ.name(),
                    ValidString.in(Utils.enumOptions(ErrorPolicy.class)),
                    Importance.HIGH, ERRORS_PROCESSING_POLICY_DOC)
            .define(ERRORS_PRODUCTION_POLICY_CONFIG, Type.STRING, ErrorPolicy.CONTINUE_TO_DLQ.name(),
                    ValidString.in(Utils.enumOptions(ErrorPolicy.class)),
                    Importance.HIGH, ERRORS_PRODUCTION_POLICY_DOC)
            .define(EXTERNAL_CALL_TIMEOUT_MS_CONFIG, Type.INT, 2_000, Range.between(1, 600_000), Importance.MEDIUM, EXTERNAL_CALL_TIMEOUT_MS_DOC)
            .define(EXTERNAL_CALL_MAX_CONCURRENCY_CONFIG, Type.INT, 8, Range.between(1, 256), Importance.LOW, EXTERNAL_CALL_MAX_CONCURRENCY_DOC)
            .define(EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG, Type.INT, 5, Range.between(1, 100), Importance.MEDIUM, EXTERNAL_RETRY_MAX_ATTEMPTS_DOC)
            .define(EXTERNAL_RETRY_INITIAL_BACKOFF_MS_CONFIG, Type.INT, 100, Range.between(1, 600_000), Importance.MEDIUM,
                    EXTERNAL_RETRY_INITIAL_BACKOFF_MS_DOC)
            .define(EXTERNAL_RETRY_BACKOFF_MULTIPLIER_CONFIG, Type.DOUBLE, 2.0, Range.between(1.0, 10.0), Importance.LOW,
                    EXTERNAL_RETRY_BACKOFF_MULTIPLIER_DOC)
            .define(EXTERNAL_RETRY_MAX_BACKOFF_MS_CONFIG, Type.INT, 5_000, Range.between(1, 600_000), Importance.MEDIUM,
                    EXTERNAL_RETRY_MAX_BACKOFF_MS_DOC)
            .define(EXTERNAL_RETRY_JITTER_CONFIG, Type.DOUBLE, 0.5, Range.between(0.0, 0.99), Importance.LOW, EXTERNAL_RETRY_JITTER_DOC)
            .define(EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG, Type.INT, 30_000, Range.between(1, 3_600_000), Importance.MEDIUM,
                    EXTERNAL_RETRY_MAX_ELAPSED_MS_DOC)
            .define(EXTERNAL_CIRCUIT_FAILURE_RATE_THRESHOLD_CONFIG, Type.INT, 50, Range.between(1, 100), Importance.MEDIUM,
                    EXTERNAL_CIRCUIT_FAILURE_RATE_THRESHOLD_DOC)
            .define(EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG, Type.INT, 20, Range.between(1, 10_000), Importance.LOW, EXTERNAL_CIRCUIT_WINDOW_CALLS_DOC)
            .define(EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG, Type.INT, 10, Range.between(1, 10_000), Importance.LOW, EXTERNAL_CIRCUIT_MINIMUM_CALLS_DOC)
            .define(EXTERNAL_CIRCUIT_OPEN_WAIT_MS_CONFIG, Type.INT, 10_000, Range.between(1, 3_600_000), Importance.MEDIUM,
                    EXTERNAL_CIRCUIT_OPEN_WAIT_MS_DOC)
            .define(EXTERNAL_CIRCUIT_HALF_OPEN_CALLS_CONFIG, Type.INT, 3, Range.between(1, 1_000), Importance.LOW,
                    EXTERNAL_CIRCUIT_HALF_OPEN_CALLS_DOC)
            .define(EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG, Type.STRING, CircuitOpenPolicy.DEAD_LETTER.name(),
                    ValidString.in(Utils.enumOptions(CircuitOpenPolicy.class)),
                    Importance.MEDIUM, EXTERNAL_CIRCUIT_OPEN_POLICY_DOC)
            .define(VALIDATION_MAX_STRING_CHARS_CONFIG, Type.INT, VALIDATION_MAX_STRING_CHARS_DEFAULT, Range.between(1, 1_000_000),
                    Importance.LOW, VALIDATION_MAX_STRING_CHARS_DOC)
            .define(VALIDATION_MAX_FUTURE_SKEW_MS_CONFIG, Type.LONG, 86_400_000L, Range.between(0L, 365L * 86_400_000L),
                    Importance.LOW, VALIDATION_MAX_FUTURE_SKEW_MS_DOC)
            .define(CONSERVATION_CHECK_INTERVAL_MS_CONFIG, Type.INT, 10_000, Range.between(100, 3_600_000), Importance.LOW,
                    CONSERVATION_CHECK_INTERVAL_MS_DOC);
    }

    /** The rules across keys of this capability; joined into {@link ConfigDefinitions}. */
    static final List<ConfigDefinitions.CrossCheck> CROSS_CHECKS = List.of(
            PolicyKeys::checkCallFitsElapsedCap,
            PolicyKeys::checkRetryWorstCaseBelowPollInterval,
            PolicyKeys::checkMinimumCallsWithinWindow);

    /**
     * Longest a guarded external call can block its caller, in ms: the smaller of the elapsed cap
     * and every attempt timing out with the longest (jittered) wait between attempts.
     */
    public static long retryWorstCaseMs(PipelineConfig config) {
        return retryWorstCaseMs(config.getInt(EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG), config.getInt(EXTERNAL_CALL_TIMEOUT_MS_CONFIG),
                config.getInt(EXTERNAL_RETRY_INITIAL_BACKOFF_MS_CONFIG), config.getDouble(EXTERNAL_RETRY_BACKOFF_MULTIPLIER_CONFIG),
                config.getInt(EXTERNAL_RETRY_MAX_BACKOFF_MS_CONFIG), config.getDouble(EXTERNAL_RETRY_JITTER_CONFIG),
                config.getInt(EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG));
    }

    /** The same bound from the values themselves. */
    public static long retryWorstCaseMs(int attempts, long timeoutMs, long initialBackoffMs, double multiplier,
            long maxBackoffMs, double jitter, long maxElapsedMs) {
        double total = attempts * (double) timeoutMs;
        double wait = initialBackoffMs;
        for (int retry = 1; retry < attempts; retry++) {
            total += Math.min(wait, maxBackoffMs) * (1 + jitter);
            wait *= multiplier;
        }
        return Math.min((long) Math.ceil(total), maxElapsedMs);
    }

    /** The consumer's max.poll.interval.ms as Kafka Streams will see it (most specific prefix wins). */
    public static long maxPollIntervalMs(PipelineConfig config) {
        Map<String, String> kafka = config.kafkaClientProps();
        String key = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
        for (String k : List.of(StreamsConfig.MAIN_CONSUMER_PREFIX + key, StreamsConfig.CONSUMER_PREFIX + key, key)) {
            String v = kafka.get(k);
            if (v != null) {
                try {
                    return Long.parseLong(v.trim());
                } catch (NumberFormatException e) {
                    throw new ConfigError("Invalid value '" + v + "' for configuration '" + k + "': not a number of milliseconds.");
                }
            }
        }
        return MAX_POLL_INTERVAL_MS_DEFAULT;
    }

    private static void checkCallFitsElapsedCap(PipelineConfig config) {
        int timeout = config.getInt(EXTERNAL_CALL_TIMEOUT_MS_CONFIG);
        int elapsed = config.getInt(EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG);
        if (timeout > elapsed) {
            throw new ConfigError("Invalid configuration: '" + EXTERNAL_CALL_TIMEOUT_MS_CONFIG + "'=" + timeout
                    + " is greater than '" + EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG + "'=" + elapsed
                    + ", so no attempt could ever start. Allowed: " + EXTERNAL_CALL_TIMEOUT_MS_CONFIG + " <= "
                    + EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG + ".");
        }
    }

    private static void checkRetryWorstCaseBelowPollInterval(PipelineConfig config) {
        long worst = retryWorstCaseMs(config);
        long maxPoll = maxPollIntervalMs(config);
        if (worst >= maxPoll) {
            throw new ConfigError("Invalid configuration: the worst case of one guarded external call is " + worst
                    + " ms, not below max.poll.interval.ms=" + maxPoll + " (a blocked stream thread would be "
                    + "thrown out of its group). It is min('" + EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG + "'="
                    + config.getInt(EXTERNAL_RETRY_MAX_ELAPSED_MS_CONFIG) + ", '" + EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG
                    + "'=" + config.getInt(EXTERNAL_RETRY_MAX_ATTEMPTS_CONFIG) + " x '" + EXTERNAL_CALL_TIMEOUT_MS_CONFIG
                    + "'=" + config.getInt(EXTERNAL_CALL_TIMEOUT_MS_CONFIG) + " + waits from '"
                    + EXTERNAL_RETRY_INITIAL_BACKOFF_MS_CONFIG + "'=" + config.getInt(EXTERNAL_RETRY_INITIAL_BACKOFF_MS_CONFIG)
                    + ", '" + EXTERNAL_RETRY_BACKOFF_MULTIPLIER_CONFIG + "'=" + config.getDouble(EXTERNAL_RETRY_BACKOFF_MULTIPLIER_CONFIG)
                    + ", '" + EXTERNAL_RETRY_MAX_BACKOFF_MS_CONFIG + "'=" + config.getInt(EXTERNAL_RETRY_MAX_BACKOFF_MS_CONFIG)
                    + ", '" + EXTERNAL_RETRY_JITTER_CONFIG + "'=" + config.getDouble(EXTERNAL_RETRY_JITTER_CONFIG)
                    + "). Allowed: lower those, or raise max.poll.interval.ms above " + worst + ".");
        }
    }

    private static void checkMinimumCallsWithinWindow(PipelineConfig config) {
        int min = config.getInt(EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG);
        int window = config.getInt(EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG);
        if (min > window) {
            throw new ConfigError("Invalid configuration: '" + EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG + "'=" + min
                    + " is greater than '" + EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG + "'=" + window
                    + ": the window never holds that many attempts. Allowed: " + EXTERNAL_CIRCUIT_MINIMUM_CALLS_CONFIG + " <= "
                    + EXTERNAL_CIRCUIT_WINDOW_CALLS_CONFIG + ".");
        }
    }
}
