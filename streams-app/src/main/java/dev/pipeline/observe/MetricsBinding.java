package dev.pipeline.observe;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's one Prometheus registry with the JVM/process binders, and the bridge of Kafka
 * Streams' and the clients' own metrics through Micrometer's Kafka binders (names
 * {@code kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}, ... tagged
 * {@code pipeline}). One scheduler thread, shared by the Kafka binders, re-reads the clients'
 * metric lists so stream threads started later appear within {@link #KAFKA_REFRESH}.
 *
 * <p>Lifecycle: create at start, {@link #bindStreams} each {@code KafkaStreams} right after
 * constructing it, close the returned handle before closing that {@code KafkaStreams}, and
 * {@link #close()} last.
 */
public final class MetricsBinding implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsBinding.class);
    static final Duration KAFKA_REFRESH = Duration.ofSeconds(10);

    private final PrometheusMeterRegistry registry;
    private final boolean ownsRegistry;
    private final PipelineMetrics pipelineMetrics;
    private final ScheduledExecutorService kafkaScheduler;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private MetricsBinding(PrometheusMeterRegistry registry, boolean ownsRegistry) {
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
        this.pipelineMetrics = new PipelineMetrics(registry);
        this.kafkaScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-kafka-binder");
            t.setDaemon(true);
            return t;
        });
    }

    /** A new Prometheus registry with JVM and process metrics bound; {@link #close()} closes it. */
    public static MetricsBinding create() {
        return bind(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
    }

    /** JVM and process metrics bound to the app's registry; {@link #close()} leaves the registry open. */
    public static MetricsBinding on(PrometheusMeterRegistry registry) {
        return bind(registry, false);
    }

    private static MetricsBinding bind(PrometheusMeterRegistry registry, boolean owns) {
        MetricsBinding b = new MetricsBinding(registry, owns);
        new ClassLoaderMetrics().bindTo(b.registry);
        new JvmMemoryMetrics().bindTo(b.registry);
        new JvmThreadMetrics().bindTo(b.registry);
        new ProcessorMetrics().bindTo(b.registry);
        new UptimeMetrics().bindTo(b.registry);
        new FileDescriptorMetrics().bindTo(b.registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(b.registry);
        b.track(gc);
        return b;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The {@code pipeline_*} meters over this registry: hand it to {@code PipelineContext}. */
    public PipelineMetrics pipelineMetrics() {
        return pipelineMetrics;
    }

    /** Binds one Kafka Streams instance's (and its embedded clients') metrics, tagged {@code pipeline}. */
    public AutoCloseable bindStreams(String pipeline, KafkaStreams streams) {
        KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams, Tags.of(MetricNames.TAG_PIPELINE, pipeline),
                kafkaScheduler, KAFKA_REFRESH);
        m.bindTo(registry);
        return track(m);
    }

    private synchronized AutoCloseable track(AutoCloseable c) {
        closeables.add(c);
        return () -> {
            synchronized (this) {
                closeables.remove(c);
            }
            c.close();
        };
    }

    /** Unbinds everything still bound, stops the binder thread, and closes the registry if it made it. */
    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(closeables);
            closeables.clear();
        }
        for (AutoCloseable c : toClose) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing metrics binder {} failed", c, e);
            }
        }
        kafkaScheduler.shutdownNow();
        try {
            kafkaScheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsRegistry) {
            registry.close();
        }
    }
}
