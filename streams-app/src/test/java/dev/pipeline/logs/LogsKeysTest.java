package dev.pipeline.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.config.ConfigError;
import dev.pipeline.config.LogsKeys;
import dev.pipeline.config.OverflowPolicy;
import dev.pipeline.config.PipelineConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The logs keys are refused at start with the key, the value and what is allowed. */
class LogsKeysTest {

    @Test
    void shouldRefuseBlockWaitNotBelowMaxPollInterval() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.BLOCK_MAX_MS_CONFIG, 300_000)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("'logs.block.max.ms'").hasMessageContaining("300000")
                .hasMessageContaining("below 300000");
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.BLOCK_MAX_MS_CONFIG, 20_000,
                "main.consumer.max.poll.interval.ms", 20_000)))
                .isInstanceOf(ConfigError.class).hasMessageContaining("below 20000");
        assertThat(PipelineConfig.defaults().with(Map.of(LogsKeys.BLOCK_MAX_MS_CONFIG, 19_999,
                "max.poll.interval.ms", 20_000)).getLong(LogsKeys.BLOCK_MAX_MS_CONFIG)).isEqualTo(19_999);
    }

    @Test
    void shouldRefuseUnknownOverflowPolicyListingTheAllowedOnes() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.BUFFER_OVERFLOW_POLICY_CONFIG, "DROP")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("'logs.buffer.overflow.policy'").hasMessageContaining("'DROP'")
                .hasMessageContaining("EMIT_EARLY");
    }

    @Test
    void shouldRefuseFallbackThatWouldWaitAgain() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.BLOCK_FALLBACK_CONFIG, "BLOCK")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("'logs.block.fallback'");
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.BLOCK_FALLBACK_CONFIG, "EMIT_EARLY")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("'logs.block.fallback'");
    }

    @Test
    void shouldRefuseBatchLargerThanBuffer() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.BUFFER_MAX_RECORDS_CONFIG, 10,
                LogsKeys.BATCH_MAX_RECORDS_CONFIG, 11)))
                .isInstanceOf(ConfigError.class).hasMessageContaining("'logs.batch.max.records'");
    }

    @Test
    void shouldRefuseSinkUrlThatIsNotHttp() {
        assertThatThrownBy(() -> PipelineConfig.defaults().with(Map.of(LogsKeys.SINK_HTTP_URL_CONFIG, "ftp://x/y")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("'logs.sink.http.url'")
                .hasMessageContaining("http://");
    }

    @Test
    void shouldParsePoliciesCaseInsensitivelyWithDocumentedDefaults() {
        LogsSettings defaults = LogsSettings.from(PipelineConfig.defaults());
        assertThat(defaults.applicationId()).isEqualTo("pipeline-logs");
        assertThat(defaults.processingGuarantee()).isEqualTo("at_least_once");
        assertThat(defaults.policy()).isEqualTo(OverflowPolicy.BLOCK);
        assertThat(defaults.fallback()).isEqualTo(OverflowPolicy.DROP_NEWEST);
        assertThat(defaults.httpUrl()).isEmpty();
        LogsSettings s = LogsSettings.from(PipelineConfig.defaults().with(Map.of(
                LogsKeys.BUFFER_OVERFLOW_POLICY_CONFIG, "drop_oldest", LogsKeys.PROCESSING_GUARANTEE_CONFIG,
                "EXACTLY_ONCE_V2", LogsKeys.SINK_HTTP_URL_CONFIG, "http://127.0.0.1:9/batches")));
        assertThat(s.policy()).isEqualTo(OverflowPolicy.DROP_OLDEST);
        assertThat(s.processingGuarantee()).isEqualTo("exactly_once_v2");
        assertThat(s.httpUrl()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(9));
    }
}
