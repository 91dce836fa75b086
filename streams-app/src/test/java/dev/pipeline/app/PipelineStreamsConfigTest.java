package dev.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DeadLetterDeserializationHandler;
import dev.pipeline.policy.DeadLetterProcessingHandler;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Test;

class PipelineStreamsConfigTest {
    /** A pipeline that replaces the processing handler, as the logs pipeline does for its FAIL policy. */
    static class OwnHandler extends DeadLetterProcessingHandler {}

    private final StreamsPipeline pipeline = new StreamsPipeline() {
        @Override
        public String name() {
            return "logs";
        }

        @Override
        public Topology topology() {
            return new Topology();
        }

        @Override
        public Map<String, Object> streamsProperties() {
            return Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "pipeline-logs",
                    StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, OwnHandler.class);
        }
    };

    private final PipelineConfig config = PipelineConfig.defaults().with(Map.of("bootstrap.servers", "b:9092"));

    @Test
    void shouldLetThePipelineReplaceAHandlerAndTheCallerOnlyWhatRunsDifferently() {
        Properties props = PipelineStreamsConfig.of(pipeline, config, PipelineMetrics.inMemory(),
                Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "bench-logs-1", StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100));

        assertThat(props.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG)).isEqualTo(OwnHandler.class);
        assertThat(props.get(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG))
                .isEqualTo(DeadLetterDeserializationHandler.class);
        assertThat(props.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("bench-logs-1");
        assertThat(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(100);
        assertThat(props.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("b:9092");
    }

    @Test
    void shouldRefuseACallerOverridingWhatRunSets() {
        assertThatThrownBy(() -> PipelineStreamsConfig.of(pipeline, config, PipelineMetrics.inMemory(),
                Map.of(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG);
    }
}
