package dev.pipeline.app;

import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.EmbeddedKafkaBroker;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.TopicProvisioner;
import dev.pipeline.kafka.Topics;
import dev.pipeline.observe.LagSnapshot;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DropRecorder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of {@code run}: embedded broker and registry when no cluster is given, topic
 * provisioning, the HTTP server, one {@link KafkaStreams} per pipeline, and shutdown in reverse
 * order. Everything started is registered as a closeable as soon as it exists, so a failure half
 * way through start-up still closes what was already running.
 */
public final class PipelineApplication implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);

    /** Makes a pipeline from the app's context (the CLI passes LogsPipeline::create, ...). */
    public interface Factory extends Function<PipelineContext, StreamsPipeline> {}

    /** Extension points the app wires at start: the registry, serdes, demo load, extra HTTP routes. */
    public interface Plugins {
        /** Mounts the embedded registry (embedded mode) on the server and returns its URL, or null. */
        default String startEmbeddedRegistry(PipelineConfig config, HttpServerHost http, Deque<AutoCloseable> closeables) {
            return null;
        }

        SerdeFactory serdes(PipelineConfig config);

        /** Observability routes, binders and demo load; runs once the pipelines have started. */
        default void afterStart(PipelineApplication app, Deque<AutoCloseable> closeables) {}
    }

    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final Map<String, KafkaStreams> streams = new LinkedHashMap<>();
    private final Map<String, StreamsPipeline> pipelines = new LinkedHashMap<>();
    private final Map<String, Topology> topologies = new LinkedHashMap<>();
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    private PipelineConfig config;
    private PrometheusMeterRegistry registry;
    private PipelineMetrics metrics;
    private HttpServerHost http;
    private Topics topics;
    private volatile boolean closed;
    private boolean embedded;
    private SerdeFactory serdes;
    private volatile Supplier<LagSnapshot> progress = LagSnapshot::empty;

    private PipelineApplication() {}

    public static PipelineApplication start(PipelineConfig config, List<Factory> factories, Plugins plugins) {
        PipelineApplication app = new PipelineApplication();
        try {
            app.doStart(config, factories, plugins);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void doStart(PipelineConfig initial, List<Factory> factories, Plugins plugins) {
        long t0 = System.nanoTime();
        config = initial;
        embedded = initial.embeddedBroker();
        if (embedded) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.stateDir().resolve("broker"),
                    config.getInt(CoreKeys.EMBEDDED_BROKER_PORT_CONFIG));
            closeables.push(broker);
            config = config.with(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        closeables.push(registry::close);
        metrics = new PipelineMetrics(registry);
        http = HttpServerHost.start(config.getString(CoreKeys.HTTP_BIND_ADDRESS_CONFIG), config.getInt(CoreKeys.HTTP_PORT_CONFIG));
        closeables.push(http);
        HealthRoutes.mount(this, http);
        if (embedded && config.getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG).isEmpty()) {
            String url = plugins.startEmbeddedRegistry(config, http, closeables);
            if (url != null) {
                config = config.with(Map.of(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG, url));
            }
        }
        topics = Topics.from(config);
        provisionTopics();
        serdes = plugins.serdes(config);
        PipelineContext ctx = new PipelineContext(config, topics, serdes, metrics);
        for (Factory f : factories) {
            StreamsPipeline p = f.apply(ctx);
            DropRecorder.initialiseMetrics(metrics, p.name());
            pipelines.put(p.name(), p);
        }
        for (StreamsPipeline p : pipelines.values()) {
            startStreams(p);
        }
        plugins.afterStart(this, closeables);
        LOG.info("Started {} in {} ms: bootstrap {}, http://{}:{}/", pipelines.keySet(),
                (System.nanoTime() - t0) / 1_000_000, bootstrapServers(), http.bindAddress(), http.port());
    }

    private void provisionTopics() {
        int partitions = config.getInt(CoreKeys.TOPIC_PARTITIONS_CONFIG);
        short rf = config.getShort(CoreKeys.TOPIC_REPLICATION_FACTOR_CONFIG);
        List<TopicProvisioner.Spec> specs = new ArrayList<>();
        for (String t : topics.all()) {
            specs.add(new TopicProvisioner.Spec(t, partitions, rf, false));
        }
        Map<String, Object> adminProps = new HashMap<>(config.kafkaClientProps());
        int timeout = config.getInt(CoreKeys.ADMIN_TIMEOUT_MS_CONFIG);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeout, 10_000));
        try (Admin admin = Admin.create(adminProps)) {
            TopicProvisioner.ensure(admin, specs, timeout);
        }
    }

    private void startStreams(StreamsPipeline p) {
        Properties props = PipelineStreamsConfig.of(p, config, metrics);
        Topology topology = p.topology();
        topologies.put(p.name(), topology);
        KafkaStreams ks = new KafkaStreams(topology, props);
        ks.setUncaughtExceptionHandler(p.uncaughtExceptionHandler());
        ks.setStateListener((now, before) -> {
            LOG.info("Pipeline {}: {} -> {}", p.name(), before, now);
            if (now == KafkaStreams.State.ERROR && !closed) {
                failure.complete("pipeline " + p.name() + " stopped with an error (see the log above)");
            }
        });
        streams.put(p.name(), ks);
        Duration timeout = Duration.ofMillis(config.getInt(CoreKeys.SHUTDOWN_TIMEOUT_MS_CONFIG));
        CloseOptions closeOptions = CloseOptions.timeout(timeout).withGroupMembershipOperation(membershipOnClose(props));
        closeables.push(() -> {
            drain(p, ks, timeout.dividedBy(2));
            if (!ks.close(closeOptions)) {
                LOG.warn("Pipeline {} did not close within {}", p.name(), timeout);
            }
        });
        ks.start();
    }

    /**
     * The drain before the final commit: asks the pipeline to flush what it holds and waits (at
     * most {@code bound}, half of shutdown.timeout.ms; the rest is for the close) until it has.
     * What is still held then stays in its changelogged stores for the next owner.
     */
    private static void drain(StreamsPipeline p, KafkaStreams ks, Duration bound) {
        if (ks.state() != KafkaStreams.State.RUNNING && ks.state() != KafkaStreams.State.REBALANCING) {
            return;
        }
        long t0 = System.nanoTime();
        p.drain();
        long deadline = t0 + bound.toNanos();
        while (!p.drained() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (p.drained()) {
            LOG.info("Pipeline {} drained in {} ms", p.name(), ms);
        } else {
            LOG.warn("Pipeline {} not drained after {} ms; closing, what it still holds stays for the next owner", p.name(), ms);
        }
    }

    /**
     * A drained instance leaves the group, so the others take its tasks at once instead of after
     * session.timeout.ms (45 s by default; measured in MultiInstanceIT). With static membership
     * (group.instance.id) it stays: a restart with the same id then gets its tasks back without a
     * rebalance, which is what static membership is for.
     */
    static CloseOptions.GroupMembershipOperation membershipOnClose(Properties props) {
        String id = ConsumerConfig.GROUP_INSTANCE_ID_CONFIG;
        boolean isStatic = props.containsKey(id) || props.containsKey(StreamsConfig.consumerPrefix(id))
                || props.containsKey(StreamsConfig.mainConsumerPrefix(id));
        return isStatic ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP : CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
    }

    public PipelineConfig config() {
        return config;
    }

    public String bootstrapServers() {
        return config.bootstrapServers().orElseThrow();
    }

    /** This app started its own broker (no bootstrap servers were given). */
    public boolean embeddedBroker() {
        return embedded;
    }

    public SerdeFactory serdes() {
        return serdes;
    }

    public int httpPort() {
        return http.port();
    }

    public HttpServerHost http() {
        return http;
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry prometheus() {
        return registry;
    }

    public Topics topics() {
        return topics;
    }

    public Map<String, StreamsPipeline> pipelines() {
        return pipelines;
    }

    /** The topology each pipeline runs (built once, at start). */
    public Map<String, Topology> topologies() {
        return topologies;
    }

    public Map<String, KafkaStreams> streams() {
        return streams;
    }

    /** Every pipeline RUNNING. */
    public boolean ready() {
        return !streams.isEmpty() && streams.values().stream().allMatch(s -> s.state() == KafkaStreams.State.RUNNING);
    }

    /**
     * Where readiness learns whether the input advances and the cluster answers (the lag monitor's
     * latest sample); set once the monitor runs. Before that, and without one, only the states count.
     */
    public void watchProgress(Supplier<LagSnapshot> latest) {
        progress = latest;
    }

    /** The latest progress sample of the pipelines' consumer groups ({@link LagSnapshot#empty()} before any). */
    public LagSnapshot progress() {
        return progress.get();
    }

    /** Completes with a message when a pipeline dies on its own (so {@code run} exits non-zero). */
    public CompletableFuture<String> failure() {
        return failure;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Error while closing {}: {}", c, e.toString());
            }
        }
    }
}
