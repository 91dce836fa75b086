package dev.pipeline.app;

import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Minimal logs pipeline: each LogEvent becomes a LogBatch of one. Stands in until the bounded
 * buffering pipeline lands; proves the lifecycle, serdes and registry end to end.
 */
public final class PassthroughPipeline implements StreamsPipeline {
    private final PipelineContext ctx;

    private PassthroughPipeline(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public static StreamsPipeline create(PipelineContext ctx) {
        return new PassthroughPipeline(ctx);
    }

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public Topology topology() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(ctx.topics().logsRaw(), Consumed.with(Serdes.String(), ctx.serdes().valueSerde(LogEvent.class)))
                .peek((k, v) -> ctx.metrics().recordsIn(name()).increment())
                .mapValues(e -> LogBatch.newBuilder().setService(e.getService())
                        .setWindowStart(java.time.Instant.ofEpochMilli(e.getTimestamp().toEpochMilli()))
                        .setWindowEnd(e.getTimestamp()).setCount(1)
                        .setCountByLevel(Map.of(e.getLevel().name(), 1L))
                        .setFirstTimestamp(e.getTimestamp()).setLastTimestamp(e.getTimestamp())
                        .setBytes(e.getMessage().length()).setSampleMessages(java.util.List.of(e.getMessage()))
                        .setFlushReason(FlushReason.SIZE).build())
                .peek((k, v) -> ctx.metrics().recordsOut(name()).increment())
                .to(ctx.topics().logsAggregated(), Produced.with(Serdes.String(), ctx.serdes().valueSerde(LogBatch.class)));
        return b.build();
    }

    @Override
    public Map<String, Object> streamsProperties() {
        return Map.of(StreamsConfig.APPLICATION_ID_CONFIG, "pipeline-logs");
    }
}
