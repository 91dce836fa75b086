package dev.pipeline.app;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.Topics;
import dev.pipeline.observe.PipelineMetrics;

/** What a pipeline needs from the app to build its topology. */
public record PipelineContext(PipelineConfig config, Topics topics, SerdeFactory serdes, PipelineMetrics metrics) {}
