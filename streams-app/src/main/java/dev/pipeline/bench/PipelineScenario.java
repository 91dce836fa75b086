package dev.pipeline.bench;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.PipelineStreamsConfig;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.load.LoadKind;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * One of our pipelines over preloaded input, built exactly as {@code run} builds it (its own
 * topology and Streams settings), with a fresh application id per run and the bench's guarantee
 * and commit interval. Samples the pipeline's buffer gauges while it runs.
 */
final class PipelineScenario implements Scenario {
    static final String BUFFER_PEAK_BYTES = "bufferPeakBytes";
    static final String BUFFER_CAP_BYTES = "bufferCapBytes";
    static final String DROPPED = "droppedRecords";

    private final String name;
    private final PipelineRef pipeline;
    private final LoadKind input;
    private final Guarantee guarantee;
    private final Function<BenchEnvironment, Map<String, String>> settings;

    /**
     * @param settings app config keys for this scenario (e.g. an overflow policy), given the environment
     */
    PipelineScenario(String name, PipelineRef pipeline, LoadKind input, Guarantee guarantee,
            Function<BenchEnvironment, Map<String, String>> settings) {
        this.name = name;
        this.pipeline = pipeline;
        this.input = input;
        this.guarantee = guarantee;
        this.settings = settings;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String group() {
        return "ours";
    }

    @Override
    public Guarantee guarantee() {
        return guarantee;
    }

    @Override
    public Optional<String> unavailable() {
        return pipeline.missing();
    }

    @Override
    public Run prepare(BenchEnvironment env, BenchOptions options) throws Exception {
        Topics topics = freshTopics(env, options.partitions());
        env.preload(input, input == LoadKind.LOGS ? topics.logsRaw() : topics.orders(), options.records(), 1);
        PipelineConfig config = configFor(env, topics, settings.apply(env));
        return runId -> {
            PipelineMetrics metrics = PipelineMetrics.inMemory();
            StreamsPipeline p = pipeline.create(new PipelineContext(config, topics, env.serdes(), metrics));
            Properties props = streamsProps(env, p, config, metrics, guarantee);
            BufferSampler sampler = new BufferSampler(metrics, p.name());
            return StreamsTimer.run(p.topology(), props, options.records(), StreamsScenario.runTimeout(options), sampler, Map.of());
        };
    }

    /** Five fresh topics in the roles of CONTRACT.md's topics. */
    static Topics freshTopics(BenchEnvironment env, int partitions) {
        Topics t = new Topics(env.freshName("logs-raw"), env.freshName("logs-aggregated"), env.freshName("orders"),
                env.freshName("orders-processed"), env.freshName("dlq"));
        env.createTopics(t.all(), partitions);
        return t;
    }

    static PipelineConfig configFor(BenchEnvironment env, Topics topics, Map<String, String> settings) {
        Map<String, String> m = new HashMap<>(settings);
        m.put(CoreKeys.TOPIC_LOGS_RAW_CONFIG, topics.logsRaw());
        m.put(CoreKeys.TOPIC_LOGS_AGGREGATED_CONFIG, topics.logsAggregated());
        m.put(CoreKeys.TOPIC_ORDERS_CONFIG, topics.orders());
        m.put(CoreKeys.TOPIC_ORDERS_PROCESSED_CONFIG, topics.ordersProcessed());
        m.put(CoreKeys.TOPIC_DLQ_CONFIG, topics.dlq());
        return env.config().with(m);
    }

    /**
     * As {@code run} configures it ({@link PipelineStreamsConfig}), with the bench's fresh
     * application id, the scenario's guarantee, the shared commit interval, one stream thread and
     * the bench's state dir.
     */
    static Properties streamsProps(BenchEnvironment env, StreamsPipeline p, PipelineConfig config, PipelineMetrics metrics,
            Guarantee guarantee) {
        Properties base = env.streamsProps(env.freshName(p.name()), guarantee);
        Map<String, Object> overrides = new HashMap<>();
        for (String k : PipelineStreamsConfig.RUN_OVERRIDES) {
            if (base.containsKey(k)) {
                overrides.put(k, base.get(k));
            }
        }
        return PipelineStreamsConfig.of(p, config, metrics, overrides);
    }

    /** Peak of {@code pipeline_buffer_bytes}, its cap, and the records dropped (any reason), when the pipeline has them. */
    static final class BufferSampler implements StreamsTimer.ExtrasSampler {
        private final PipelineMetrics metrics;
        private final String pipeline;
        private double peak = -1;
        private double cap = -1;

        BufferSampler(PipelineMetrics metrics, String pipeline) {
            this.metrics = metrics;
            this.pipeline = pipeline;
        }

        @Override
        public void sample() {
            Gauge bytes = metrics.registry().find(MetricNames.BUFFER_BYTES).tag(MetricNames.TAG_PIPELINE, pipeline).gauge();
            if (bytes != null) {
                peak = Math.max(peak, bytes.value());
            }
            Gauge capacity = metrics.registry().find(MetricNames.BUFFER_CAPACITY_BYTES).tag(MetricNames.TAG_PIPELINE, pipeline).gauge();
            if (capacity != null) {
                cap = capacity.value();
            }
        }

        @Override
        public Map<String, Double> extras() {
            Map<String, Double> m = new HashMap<>();
            double dropped = metrics.registry().find(MetricNames.DROPPED_RECORDS).tag(MetricNames.TAG_PIPELINE, pipeline)
                    .counters().stream().mapToDouble(Counter::count).sum();
            if (dropped > 0) {
                m.put(DROPPED, dropped);
            }
            if (peak >= 0) {
                m.put(BUFFER_PEAK_BYTES, peak);
            }
            if (cap >= 0) {
                m.put(BUFFER_CAP_BYTES, cap);
            }
            return m;
        }
    }
}
