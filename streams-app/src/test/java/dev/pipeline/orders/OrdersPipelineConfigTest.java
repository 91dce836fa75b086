package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.config.CircuitOpenPolicy;
import dev.pipeline.config.ConfigError;
import dev.pipeline.config.DedupClock;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrdersPipelineConfigTest {
    @TempDir
    Path stateDir;

    @Test
    void shouldDefaultToExactlyOnceV2WithShortCommitsAndLongTransactions() {
        try (OrdersDriver d = new OrdersDriver(stateDir, Map.of())) {
            assertThat(d.pipeline.streamsProperties())
                    .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "pipeline-orders")
                    .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                    .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L)
                    .containsEntry(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 10_000)
                    .containsEntry(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5)
                    .containsEntry(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 128 * 1024);
            assertThat(d.pipeline.uncaughtExceptionHandler()).isInstanceOf(OrdersExceptionHandler.class);
        }
    }

    @Test
    void shouldRefuseTransactionTimeoutBelowTenCommitIntervals() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(OrdersKeys.COMMIT_INTERVAL_MS_CONFIG, 1_000,
                OrdersKeys.TRANSACTION_TIMEOUT_MS_CONFIG, 5_000)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining(OrdersKeys.TRANSACTION_TIMEOUT_MS_CONFIG).hasMessageContaining("5000");
    }

    @Test
    void shouldRefuseUnknownGuaranteeAndClock() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(OrdersKeys.PROCESSING_GUARANTEE_CONFIG, "exactly_once")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("at_least_once");
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(OrdersKeys.DEDUP_TTL_CLOCK_CONFIG, "cpu")))
                .isInstanceOf(ConfigError.class).hasMessageContaining(OrdersKeys.DEDUP_TTL_CLOCK_CONFIG)
                .hasMessageContaining("cpu").message().containsIgnoringCase("stream").containsIgnoringCase("wall");
    }

    @Test
    void shouldReadTheDedupClockFromItsEnumInAnyCase() {
        assertThat(OrdersSettings.from(PipelineConfig.defaults()).dedupClock()).isEqualTo(DedupClock.STREAM);
        for (String v : new String[] {"wall", "WALL", " Wall "}) {
            assertThat(OrdersSettings.from(PipelineConfig.defaults().with(Map.of(OrdersKeys.DEDUP_TTL_CLOCK_CONFIG, v)))
                    .dedupClock()).as(v).isEqualTo(DedupClock.WALL);
        }
    }

    @Test
    void shouldParkWhileTheBreakerIsOpenUnlessDeadLetterIsSetExplicitly() {
        PipelineConfig defaults = PipelineConfig.defaults();
        assertThat(defaults.getString(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG)).as("the logs sink's default")
                .isEqualTo("DEAD_LETTER");
        assertThat(AuthorizationSettings.from(defaults).whenOpen()).isEqualTo(CircuitOpenPolicy.HOLD);
        assertThat(AuthorizationSettings.from(defaults.with(Map.of(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG,
                "DEAD_LETTER"))).deadLetterWhenOpen()).isTrue();
        assertThat(AuthorizationSettings.from(defaults.with(Map.of(PolicyKeys.EXTERNAL_CIRCUIT_OPEN_POLICY_CONFIG,
                "HOLD"))).deadLetterWhenOpen()).isFalse();
    }

    @Test
    void shouldDefaultRetentionToSevenDaysAndRefuseOneShorterThanTheDedupTtl() {
        assertThat(PipelineConfig.defaults().getLong(OrdersKeys.RETENTION_MS_CONFIG)).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(PipelineConfig.defaults().with(Map.of(OrdersKeys.RETENTION_MS_CONFIG, 10_000,
                OrdersKeys.DEDUP_TTL_MS_CONFIG, 10_000)).getLong(OrdersKeys.RETENTION_MS_CONFIG)).isEqualTo(10_000);
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(OrdersKeys.RETENTION_MS_CONFIG, 10_000)))
                .as("the default TTL is 7 days").isInstanceOf(ConfigError.class)
                .hasMessageContaining(OrdersKeys.RETENTION_MS_CONFIG).hasMessageContaining("10000")
                .hasMessageContaining(OrdersKeys.DEDUP_TTL_MS_CONFIG);
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(OrdersKeys.RETENTION_MS_CONFIG, 0)))
                .isInstanceOf(ConfigError.class).hasMessageContaining(OrdersKeys.RETENTION_MS_CONFIG);
    }

    @Test
    void shouldDefaultAuthorizationOffAndRefuseABadUrlOrABackoffCapBelowTheFirstWait() {
        PipelineConfig defaults = PipelineConfig.defaults();
        assertThat(defaults.getString(OrdersKeys.AUTHORIZATION_URL_CONFIG)).isEmpty();
        assertThat(AuthorizationSettings.from(defaults).enabled()).isFalse();
        assertThat(AuthorizationSettings.from(defaults.with(Map.of(OrdersKeys.AUTHORIZATION_URL_CONFIG,
                "http://payments:8080/authorize"))).url()).hasToString("http://payments:8080/authorize");
        assertThatThrownBy(() -> defaults.with(Map.of(OrdersKeys.AUTHORIZATION_URL_CONFIG, "payments:8080")))
                .isInstanceOf(ConfigError.class).hasMessageContaining(OrdersKeys.AUTHORIZATION_URL_CONFIG);
        assertThatThrownBy(() -> defaults.with(Map.of(OrdersKeys.AUTHORIZATION_BACKOFF_INITIAL_MS_CONFIG, 5_000,
                OrdersKeys.AUTHORIZATION_BACKOFF_MAX_MS_CONFIG, 1_000)))
                .isInstanceOf(ConfigError.class).hasMessageContaining(OrdersKeys.AUTHORIZATION_BACKOFF_MAX_MS_CONFIG)
                .hasMessageContaining("5000");
        assertThatThrownBy(() -> defaults.with(Map.of(OrdersKeys.PARKING_MAX_RECORDS_CONFIG, 0)))
                .isInstanceOf(ConfigError.class).hasMessageContaining(OrdersKeys.PARKING_MAX_RECORDS_CONFIG);
        assertThatThrownBy(() -> defaults.with(Map.of(OrdersKeys.AUTHORIZATION_MAX_ATTEMPTS_CONFIG, 0)))
                .isInstanceOf(ConfigError.class).hasMessageContaining(OrdersKeys.AUTHORIZATION_MAX_ATTEMPTS_CONFIG);
    }
}
