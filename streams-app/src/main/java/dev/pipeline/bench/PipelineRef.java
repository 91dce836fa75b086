package dev.pipeline.bench;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.logs.LogsPipeline;
import dev.pipeline.orders.OrdersPipeline;
import java.util.Optional;
import java.util.function.Function;

/**
 * One pipeline a bench scenario runs: its factory, or why there is none. The app's pipelines are
 * plain references (bench sits on top of them, like cli); {@link #missing(String, String)} keeps
 * a scenario listed as skipped rather than dropped when a pipeline cannot run.
 */
public final class PipelineRef {
    public static final PipelineRef LOGS = of(LogsPipeline.class.getName(), LogsPipeline::create);
    public static final PipelineRef ORDERS = of(OrdersPipeline.class.getName(), OrdersPipeline::create);

    private final String description;
    private final Function<PipelineContext, StreamsPipeline> factory;
    private final String missing;

    private PipelineRef(String description, Function<PipelineContext, StreamsPipeline> factory, String missing) {
        this.description = description;
        this.factory = factory;
        this.missing = missing;
    }

    public static PipelineRef of(String description, Function<PipelineContext, StreamsPipeline> factory) {
        return new PipelineRef(description, factory, null);
    }

    /** A pipeline that cannot run, with the reason the bench reports for its scenarios. */
    public static PipelineRef missing(String description, String why) {
        return new PipelineRef(description, null, why);
    }

    /** Why this pipeline cannot run, or empty. */
    public Optional<String> missing() {
        return Optional.ofNullable(missing);
    }

    public StreamsPipeline create(PipelineContext ctx) {
        if (factory == null) {
            throw new IllegalStateException(missing);
        }
        return factory.apply(ctx);
    }

    @Override
    public String toString() {
        return description;
    }
}
