package dev.pipeline.bench;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.load.LoadKind;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ours: orders EOS} with payment authorization on: {@code orders.authorization.url} points
 * at a {@link DelayedAuthorizer} that approves every payment after {@value #DELAY_MS} ms, everything
 * else as in that scenario (same input, same settings), so the two rows side by side are the cost
 * of the calls and the parking. The authorizer runs from {@link #prepare} until the scenario's last
 * run ({@code warmups + runs}), or the first failure.
 *
 * <p>The figure is input records per second with the clock stopped only once every input record
 * is taken in <i>and</i> no event is parked any more (every PAID answered and applied), so the
 * calls are inside the time. Extras: {@value #PARKED_PEAK} and {@value #CALLS} made by the run.
 */
final class AuthorizedOrdersScenario implements Scenario {
    static final String NAME = "ours: orders EOS, 5 ms authorizer";
    static final long DELAY_MS = 5;
    static final String PARKED_PEAK = "parkedPeak";
    static final String CALLS = "authorizerCalls";

    private final PipelineRef pipeline;

    AuthorizedOrdersScenario(PipelineRef pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String group() {
        return "ours";
    }

    @Override
    public Guarantee guarantee() {
        return Guarantee.EOS;
    }

    @Override
    public Optional<String> unavailable() {
        return pipeline.missing();
    }

    @Override
    public Run prepare(BenchEnvironment env, BenchOptions options) throws Exception {
        DelayedAuthorizer authorizer = DelayedAuthorizer.start(Duration.ofMillis(DELAY_MS));
        try {
            Topics topics = PipelineScenario.freshTopics(env, options.partitions());
            env.preload(LoadKind.ORDERS, topics.orders(), options.records(), 1);
            PipelineConfig config = PipelineScenario.configFor(env, topics,
                    Map.of(OrdersKeys.AUTHORIZATION_URL_CONFIG, authorizer.url()));
            int[] left = {options.warmups() + options.runs()};
            return runId -> {
                try {
                    return measure(env, options, config, topics, authorizer);
                } catch (Exception | Error e) {
                    left[0] = 0;
                    authorizer.close();
                    throw e;
                } finally {
                    if (--left[0] == 0) {
                        authorizer.close();
                    }
                }
            };
        } catch (Exception | Error e) {
            authorizer.close();
            throw e;
        }
    }

    private Measurement measure(BenchEnvironment env, BenchOptions options, PipelineConfig config, Topics topics,
            DelayedAuthorizer authorizer) {
        long calls0 = authorizer.calls();
        PipelineMetrics metrics = PipelineMetrics.inMemory();
        StreamsPipeline p = pipeline.create(new PipelineContext(config, topics, env.serdes(), metrics));
        ParkedSampler sampler = new ParkedSampler(metrics, p.name());
        Measurement m = StreamsTimer.run(p.topology(), PipelineScenario.streamsProps(env, p, config, metrics, Guarantee.EOS),
                options.records(), StreamsScenario.runTimeout(options), sampler, Map.of());
        Map<String, Double> extras = new HashMap<>(m.extras());
        extras.put(CALLS, (double) (authorizer.calls() - calls0));
        return new Measurement(m.records(), m.nanos(), extras);
    }

    /** The buffer sampler's figures plus the peak and last value of {@code pipeline_parked_records}. */
    private static final class ParkedSampler implements StreamsTimer.ExtrasSampler {
        private final PipelineScenario.BufferSampler buffers;
        private final PipelineMetrics metrics;
        private final String pipeline;
        private double peak;
        private double last;

        ParkedSampler(PipelineMetrics metrics, String pipeline) {
            this.buffers = new PipelineScenario.BufferSampler(metrics, pipeline);
            this.metrics = metrics;
            this.pipeline = pipeline;
        }

        @Override
        public void sample() {
            buffers.sample();
            Gauge parked = metrics.registry().find(MetricNames.PARKED_RECORDS).tag(MetricNames.TAG_PIPELINE, pipeline).gauge();
            if (parked != null) {
                last = parked.value();
                peak = Math.max(peak, last);
            }
        }

        @Override
        public boolean settled() {
            return last == 0;
        }

        @Override
        public Map<String, Double> extras() {
            Map<String, Double> m = new HashMap<>(buffers.extras());
            m.put(PARKED_PEAK, peak);
            return m;
        }
    }
}
