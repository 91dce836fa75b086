package dev.pipeline.bench;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.Topics;
import dev.pipeline.load.MalformedRecords;
import dev.pipeline.load.LoadClock;
import dev.pipeline.load.LoadGenerator;
import dev.pipeline.load.LoadKind;
import dev.pipeline.load.LoadOptions;
import dev.pipeline.load.LoadProducers;
import dev.pipeline.load.LoadProgress;
import dev.pipeline.load.LoadSummary;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce-to-result latency of the order pipeline (EOS) at a fixed offered rate: a paced
 * generator writes orders while a {@code read_committed} consumer reads the results; latency is
 * the consumer's wall clock minus the result's record timestamp, which Kafka Streams carries over
 * from the input record the producer stamped at send time (millisecond resolution, one clock).
 * The clock starts once the fresh pipeline processes ({@link #awaitProcessing}: a probe order per
 * partition, read back), not at RUNNING.
 *
 * <p>{@link #authorized} is the same run with payment authorization on, against a
 * {@link DelayedAuthorizer} answering in {@value AuthorizedOrdersScenario#DELAY_MS} ms (issue #15;
 * it also reports the calls made), offered at most {@value #AUTHORIZED_RATE}/s: at 20,000/s a third
 * of the events are PAID, 6,700 calls/s, and the calls cannot keep up (a run of 2026-12-02 did not
 * finish). {@link #rateMatched} is the run without the authorizer at that same rate, so the two
 * rows side by side are what the calls and the parking add to the latency.
 */
final class OrderLatencyScenario implements Scenario {
    private static final Logger LOG = LoggerFactory.getLogger(OrderLatencyScenario.class);
    static final String NAME = "ours: order latency EOS";
    static final String NAME_AUTHORIZED = "ours: order latency EOS, 5 ms authorizer";
    static final String NAME_RATE_MATCHED = "ours: order latency EOS, no authorizer, same rate";
    /**
     * Offered rate of the two authorizer rows at most: 667 calls/s, within what the calls sustained
     * on the bench machine (975-2,000 calls/s over 4 tasks, 2026-12-02).
     */
    static final int AUTHORIZED_RATE = 2_000;
    static final String P50 = "latencyP50Ms";
    static final String P95 = "latencyP95Ms";
    static final String P99 = "latencyP99Ms";
    static final String OFFERED = "offeredRate";
    static final String ACHIEVED_INPUT = "achievedInputRate";
    /** p99 of the results whose input was sent after the first {@link #SETTLE} of the run. */
    static final String P99_SETTLED = "latencyP99SettledMs";
    /** p99 of the worst {@link LatencyTimeline#SLOT_MS} of the run by send time (the slots are logged). */
    static final String P99_WORST_SLOT = "latencyP99WorstSlotMs";
    static final String GC_PAUSE = "gcPauseMs";
    static final String GC_COUNT = "gcCount";
    /** JIT compilation time in the run (compiler threads take CPU from everything else on two cores). */
    static final String JIT = "jitMs";
    /** CPU time the hypervisor took from this machine during the run (all cores; {@link MachineInfo#stolenCpuMillis}). */
    static final String STOLEN = "stolenCpuMs";
    private static final Duration QUIET = Duration.ofSeconds(3);
    /** The first seconds of a run include the pipeline's first fetches and transactions, and JIT on new paths. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final PipelineRef pipeline;
    private final String name;
    private final boolean withAuthorizer;
    private final int maxRate;

    OrderLatencyScenario(PipelineRef pipeline) {
        this(pipeline, NAME, false, Integer.MAX_VALUE);
    }

    private OrderLatencyScenario(PipelineRef pipeline, String name, boolean withAuthorizer, int maxRate) {
        this.pipeline = pipeline;
        this.name = name;
        this.withAuthorizer = withAuthorizer;
        this.maxRate = maxRate;
    }

    /** With every PAID authorized by a {@link DelayedAuthorizer}, started and stopped with each run. */
    static OrderLatencyScenario authorized(PipelineRef pipeline) {
        return new OrderLatencyScenario(pipeline, NAME_AUTHORIZED, true, AUTHORIZED_RATE);
    }

    /** Without the authorizer, at the authorized row's rate: its reference. */
    static OrderLatencyScenario rateMatched(PipelineRef pipeline) {
        return new OrderLatencyScenario(pipeline, NAME_RATE_MATCHED, false, AUTHORIZED_RATE);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String group() {
        return "latency";
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
    public Run prepare(BenchEnvironment env, BenchOptions options) {
        return runId -> measure(env, options);
    }

    private Measurement measure(BenchEnvironment env, BenchOptions options) throws Exception {
        if (!withAuthorizer) {
            return measure(env, options, null);
        }
        try (DelayedAuthorizer authorizer = DelayedAuthorizer.start(Duration.ofMillis(AuthorizedOrdersScenario.DELAY_MS))) {
            return measure(env, options, authorizer);
        }
    }

    private Measurement measure(BenchEnvironment env, BenchOptions options, DelayedAuthorizer authorizer) throws Exception {
        Topics topics = PipelineScenario.freshTopics(env, options.partitions());
        PipelineConfig config = PipelineScenario.configFor(env, topics, authorizer == null ? Map.of()
                : Map.of(OrdersKeys.AUTHORIZATION_URL_CONFIG, authorizer.url()));
        PipelineMetrics metrics = PipelineMetrics.inMemory();
        StreamsPipeline p = pipeline.create(new PipelineContext(config, topics, env.serdes(), metrics));
        KafkaStreams streams = new KafkaStreams(p.topology(), PipelineScenario.streamsProps(env, p, config, metrics, Guarantee.EOS));
        ExecutorService producerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-latency-producer"));
        Map<String, Object> consumerProps = env.consumerProps(env.freshName("latency"));
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaProducer<byte[], byte[]> producer = LoadProducers.create(env.config().kafkaClientProps(), env.freshName("latency"));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            streams.start();
            awaitRunning(streams, Duration.ofSeconds(60));
            ClientScenarios.assignFromStart(consumer, topics.ordersProcessed());
            consumer.poll(Duration.ofMillis(100)); // join and fetch metadata before the clock starts
            awaitProcessing(env, topics, producer, consumer, options.partitions());

            int rate = Math.min(options.latencyRate(), maxRate);
            long count = (long) rate * options.latencySeconds();
            LoadOptions load = new LoadOptions(count, rate, 0, 0, LoadKind.ORDERS.defaultKeys(), 10_000, 7);
            LoadGenerator<?> gen = LoadGenerator.of(producer, topics.orders(),
                    LoadKind.ORDERS.generator(load.seed(), load.keys(), System::currentTimeMillis), env.serdes(),
                    MalformedRecords.NONE, load, LoadClock.SYSTEM);
            long t0 = System.nanoTime();
            long startMs = System.currentTimeMillis();
            long settledFromMs = startMs + SETTLE.toMillis();
            GcTotals gc0 = GcTotals.now();
            long jit0 = jitMillis();
            long stolen0 = MachineInfo.stolenCpuMillis();
            CompletableFuture<LoadSummary> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return gen.run(LoadProgress.NONE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }, producerThread);

            Histogram latencyMs = new Histogram(3_600_000L, 3);
            Histogram settledMs = new Histogram(3_600_000L, 3);
            LatencyTimeline timeline = new LatencyTimeline(startMs, options.latencySeconds());
            long lastOutput = System.nanoTime();
            long deadline = t0 + Duration.ofSeconds(options.latencySeconds() * 3L + 60).toNanos();
            while (true) {
                List<ConsumerRecord<byte[], byte[]>> batch = new java.util.ArrayList<>();
                consumer.poll(Duration.ofMillis(50)).forEach(batch::add);
                long nowMs = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    long ms = Math.max(0, Math.min(3_600_000L, nowMs - r.timestamp()));
                    latencyMs.recordValue(ms);
                    timeline.record(r.timestamp(), ms);
                    if (r.timestamp() >= settledFromMs) {
                        settledMs.recordValue(ms);
                    }
                }
                long now = System.nanoTime();
                if (!batch.isEmpty()) {
                    lastOutput = now;
                }
                if (sent.isDone() && now - lastOutput > QUIET.toNanos()) {
                    break;
                }
                if (now > deadline) {
                    throw new IllegalStateException("order latency run did not finish in time: " + latencyMs.getTotalCount()
                            + " results for " + count + " orders");
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("the orders pipeline stopped: " + streams.state());
                }
            }
            LoadSummary input = sent.get();
            if (latencyMs.getTotalCount() == 0) {
                throw new IllegalStateException("no order results arrived for " + input.sent() + " orders");
            }
            Map<String, Double> extras = new java.util.HashMap<>(Map.of(
                    P50, (double) latencyMs.getValueAtPercentile(50),
                    P95, (double) latencyMs.getValueAtPercentile(95),
                    P99, (double) latencyMs.getValueAtPercentile(99),
                    OFFERED, (double) rate,
                    ACHIEVED_INPUT, input.achievedRate()));
            extras.putAll(decomposition(streams));
            GcTotals gc = GcTotals.now().minus(gc0);
            extras.put(P99_SETTLED, (double) settledMs.getValueAtPercentile(99));
            extras.put(P99_WORST_SLOT, (double) timeline.worstSlotP99());
            LOG.info("[bench] {}: latency by send time from {}, p99/max ms per {} ms: {}", name,
                    java.time.Instant.ofEpochMilli(startMs), LatencyTimeline.SLOT_MS, timeline.describe());
            extras.put(GC_PAUSE, (double) gc.millis());
            extras.put(GC_COUNT, (double) gc.count());
            extras.put(JIT, (double) (jitMillis() - jit0));
            if (stolen0 >= 0) {
                extras.put(STOLEN, (double) (MachineInfo.stolenCpuMillis() - stolen0));
            }
            if (authorizer != null) {
                extras.put(AuthorizedOrdersScenario.CALLS, (double) authorizer.calls());
            }
            return new Measurement(latencyMs.getTotalCount(), lastOutput - t0, extras);
        } finally {
            producerThread.shutdownNow();
            producerThread.awaitTermination(10, TimeUnit.SECONDS);
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }

    /**
     * Where the time goes, from Kafka Streams' own metrics over the whole run: {@code e2eSink*} =
     * record-e2e-latency at the results sink (producer timestamp to processing: the producer, the
     * broker, the fetch and the input queue); {@code commit*} = the stream thread's commit latency
     * (cache flush, producer flush, offsets and transaction commit), during which nothing is
     * processed; the rest of the measured latency is the wait for the next commit (at most the
     * commit interval) plus the read_committed fetch after the markers.
     */
    private static Map<String, Double> decomposition(KafkaStreams streams) {
        Map<String, Double> m = new java.util.HashMap<>();
        streams.metrics().forEach((name, metric) -> {
            String key = switch (name.group() + "/" + name.name()) {
                case "stream-processor-node-metrics/record-e2e-latency-avg" -> "e2eSinkAvgMs";
                case "stream-processor-node-metrics/record-e2e-latency-max" -> "e2eSinkMaxMs";
                case "stream-thread-metrics/commit-latency-avg" -> "commitAvgMs";
                case "stream-thread-metrics/commit-latency-max" -> "commitMaxMs";
                default -> null;
            };
            boolean sink = !name.group().equals("stream-processor-node-metrics")
                    || String.valueOf(name.tags().get("processor-node-id")).contains("results");
            if (key != null && sink && metric.metricValue() instanceof Double v && !v.isNaN()) {
                m.merge(key, Math.round(v * 10) / 10.0, Math::max);
            }
        });
        return m;
    }

    /** Collections and their total time in this JVM (broker, generator, reader and pipeline alike). */
    private record GcTotals(long count, long millis) {
        static GcTotals now() {
            long count = 0;
            long millis = 0;
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                millis += Math.max(0, gc.getCollectionTime());
            }
            return new GcTotals(count, millis);
        }

        GcTotals minus(GcTotals before) {
            return new GcTotals(count - before.count, millis - before.millis);
        }
    }

    private static long jitMillis() {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0L;
    }

    /**
     * The clock starts once every task processes: one probe order (a CREATED) per input partition,
     * each result read back. A fresh {@code KafkaStreams} is RUNNING while its tasks are still being
     * initialised and its first transaction opened; started at RUNNING, the first second of every
     * run queued behind that and set the run's p99 (756-1,193 ms e2e at the sink, 2026-12-02).
     * The probes' results are read here, before the histograms exist.
     */
    private static void awaitProcessing(BenchEnvironment env, Topics topics, KafkaProducer<byte[], byte[]> producer,
            KafkaConsumer<byte[], byte[]> consumer, int partitions) {
        var serializer = env.serdes().valueSerde(OrderEvent.class).serializer();
        String run = env.freshName("probe");
        java.util.Set<String> waiting = new java.util.HashSet<>();
        for (int p = 0; p < partitions; p++) {
            String orderId = run + "-" + p;
            OrderEvent created = OrderEvent.newBuilder().setEventId(orderId + "-created").setOrderId(orderId)
                    .setCustomerId("bench-probe").setType(OrderEventType.CREATED).setAmountCents(1).setCurrency("EUR")
                    .setTimestamp(java.time.Instant.now()).build();
            producer.send(new ProducerRecord<>(topics.orders(), p, orderId.getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(topics.orders(), created)));
            waiting.add(orderId);
        }
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the orders pipeline did not process its probe orders: " + waiting);
            }
            consumer.poll(Duration.ofMillis(50))
                    .forEach(r -> waiting.remove(new String(r.key(), StandardCharsets.UTF_8)));
        }
    }

    private static void awaitRunning(KafkaStreams streams, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                throw new IllegalStateException("the orders pipeline did not reach RUNNING: " + streams.state());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }
}
