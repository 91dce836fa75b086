package dev.pipeline.bench;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.function.Function;

/**
 * One of our pipelines, found by its class's {@code static StreamsPipeline create(PipelineContext)}.
 * Looked up by name so the bench lists a pipeline that is not built yet as skipped (and runs it
 * as soon as the class exists) instead of failing to compile; {@link #of} takes a method
 * reference for pipelines that are always there.
 */
public final class PipelineRef {
    public static final PipelineRef LOGS = named("dev.pipeline.logs.LogsPipeline");
    public static final PipelineRef ORDERS = named("dev.pipeline.orders.OrdersPipeline");

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

    public static PipelineRef named(String className) {
        try {
            Class<?> c = Class.forName(className);
            Method create = c.getMethod("create", PipelineContext.class);
            if (!Modifier.isStatic(create.getModifiers()) || !StreamsPipeline.class.isAssignableFrom(create.getReturnType())) {
                return new PipelineRef(className, null, className + ".create(PipelineContext) is not a static StreamsPipeline factory");
            }
            return new PipelineRef(className, ctx -> invoke(create, ctx), null);
        } catch (ClassNotFoundException e) {
            return new PipelineRef(className, null, className + " is not built yet");
        } catch (NoSuchMethodException e) {
            return new PipelineRef(className, null, className + " has no static create(PipelineContext)");
        }
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

    private static StreamsPipeline invoke(Method create, PipelineContext ctx) {
        try {
            return (StreamsPipeline) create.invoke(null, ctx);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("creating " + create.getDeclaringClass().getSimpleName() + " failed: " + cause, cause);
        }
    }
}
