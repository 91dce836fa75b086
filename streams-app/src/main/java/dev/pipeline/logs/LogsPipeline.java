package dev.pipeline.logs;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.kafka.WriteBackStore;
import dev.pipeline.kafka.serde.WithBytes;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.ConservationCheck;
import dev.pipeline.policy.ConservationStatus;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropRecorder;
import dev.pipeline.policy.ExternalCallPolicy;
import dev.pipeline.policy.InputValidation;
import dev.pipeline.policy.Ledger;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The log-aggregation pipeline: {@code logs-raw} (key service, value LogEvent) → bounded
 * per-service buffer → {@code logs-aggregated} (LogBatch), and optionally an HTTP sink; drops to
 * the DLQ. Its own application id; {@code at_least_once} unless {@code logs.processing.guarantee}
 * says exactly_once_v2 (at-least-once: after a crash, events may be counted twice, never lost).
 */
public final class LogsPipeline implements StreamsPipeline {
    public static final String SOURCE_NAME = "logs-source";
    /** The ledger has a handful of terms; the bound only matters if that ever changes. */
    private static final int LEDGER_MAX_DIRTY = 1_000;

    private final LogsSettings settings;
    private final TaskBuffers tasks;
    private final ConservationStatus conservation;
    private final Optional<HttpSink> http;
    private final Topology topology;
    private final PipelineMetrics metrics;

    private LogsPipeline(LogsSettings settings, TaskBuffers tasks, ConservationStatus conservation,
            Optional<HttpSink> http, Topology topology, PipelineMetrics metrics) {
        this.metrics = metrics;
        this.settings = settings;
        this.tasks = tasks;
        this.conservation = conservation;
        this.http = http;
        this.topology = topology;
    }

    /** The pipeline for the app: settings from the config, gauges registered on the context's metrics. */
    public static LogsPipeline create(PipelineContext ctx) {
        PipelineConfig config = ctx.config();
        LogsSettings settings = LogsSettings.from(config);
        TaskBuffers tasks = new TaskBuffers();
        tasks.registerGauges(ctx.metrics(), MetricNames.PIPELINE_LOGS);
        DropRecorder.initialiseMetrics(ctx.metrics(), MetricNames.PIPELINE_LOGS);
        ConservationStatus conservation = new ConservationStatus();
        Optional<HttpSink> http = settings.httpUrl().map(url ->
                new HttpSink(url, ExternalCallPolicy.from(config), ctx.metrics(), MetricNames.PIPELINE_LOGS));
        // always present (CONTRACT.md); 0 = closed while there is no HTTP sink. Registered before any
        // GuardedCall exists, so the guarded call reads through this one instead of adding its own.
        TaskBuffers.replaceGauge(ctx.metrics(), MetricNames.CIRCUIT_STATE, MetricNames.PIPELINE_LOGS,
                () -> http.map(HttpSink::circuitStateCode).orElse(0));
        BufferProcessor.SinkFactory sinks = http.<BufferProcessor.SinkFactory>map(h ->
                task -> h.open(task, settings.maxInFlight())).orElse(task -> BatchSink.NONE);
        BufferProcessor.Deps deps = new BufferProcessor.Deps(settings, ctx.serdes().valueSerde(LogEvent.class),
                ctx.serdes().valueSerde(LogBatch.class), ctx.topics(), ctx.metrics(), tasks, sinks,
                InputValidation.from(config),
                new ConservationCheck(MetricNames.PIPELINE_LOGS, ctx.metrics(), conservation),
                Duration.ofMillis(config.getInt(PolicyKeys.CONSERVATION_CHECK_INTERVAL_MS_CONFIG)));
        return new LogsPipeline(settings, tasks, conservation, http, buildTopology(deps), ctx.metrics());
    }

    /**
     * The topology (tests drive it with TopologyTestDriver). Nodes: {@link #SOURCE_NAME} →
     * {@link BufferProcessor#NAME} (stores {@link BufferProcessor#STORE}, a {@link LogsBuffer}, and
     * {@code logs-ledger}) → {@link BufferProcessor#OUTPUT_SINK} and {@link DeadLetters#SINK_NAME}.
     */
    static Topology buildTopology(BufferProcessor.Deps deps) {
        Topology t = new Topology();
        t.addSource(SOURCE_NAME, Serdes.String().deserializer(), WithBytes.deserializer(deps.events().deserializer()),
                deps.topics().logsRaw());
        t.addProcessor(BufferProcessor.NAME, () -> new BufferProcessor(deps), SOURCE_NAME);
        t.addStateStore(LogsBuffer.builder(BufferProcessor.STORE), BufferProcessor.NAME);
        // the write-back map: a per-event cached-store update of the ledger was an eighth of the stream thread
        t.addStateStore(WriteBackStore.builder(Ledger.storeBuilder(MetricNames.PIPELINE_LOGS), LEDGER_MAX_DIRTY),
                BufferProcessor.NAME);
        t.addSink(BufferProcessor.OUTPUT_SINK, deps.topics().logsAggregated(), Serdes.String().serializer(),
                deps.batches().serializer(), BufferProcessor.NAME);
        t.addSink(DeadLetters.SINK_NAME, deps.topics().dlq(), new ByteArraySerializer(), new ByteArraySerializer(),
                BufferProcessor.NAME);
        return t;
    }

    @Override
    public String name() {
        return MetricNames.PIPELINE_LOGS;
    }

    @Override
    public Topology topology() {
        return topology;
    }

    /**
     * Own settings, and the processing handler that lets the FAIL overflow policy stop the
     * pipeline. {@code max.task.idle.ms=-1}: a task reads one input partition, so there is no
     * other partition to wait for, and Kafka Streams then skips its idling check (which formats a
     * log message for every empty queue it looks at).
     */
    @Override
    public Map<String, Object> streamsProperties() {
        return Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs(),
                StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L,
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogsProcessingHandler.class);
    }

    public LogsSettings settings() {
        return settings;
    }

    /** Flush everything now and pass new events straight through, so the final commit carries it all. */
    @Override
    public void drain() {
        tasks.requestDrain();
    }

    @Override
    public boolean drained() {
        return tasks.drained();
    }

    public TaskBuffers tasks() {
        return tasks;
    }

    /** The conservation terms of this process's tasks, as of each task's last check. */
    public ConservationStatus.Summary conservation() {
        return conservation.summary(MetricNames.PIPELINE_LOGS);
    }

    /**
     * Terms for /api/status, next to the state, counters and drops the app adds (keys as the
     * dashboard reads them). The ledger's own terms, which survive restarts, are in
     * {@code conservation}; the buffer terms are summed over this process's tasks.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("buffered", tasks.records());
        status.put("bufferBytes", tasks.bytes());
        status.put("bufferCapacityRecords", tasks.capacityRecords());
        status.put("bufferCapacityBytes", tasks.capacityBytes());
        status.put("overflowPolicy", settings.policy().name());
        status.put("tasks", tasks.tasks());
        status.put("sinkHttp", settings.httpUrl().map(Object::toString).orElse("off"));
        status.put("sinkInFlight", tasks.inFlight());
        status.put("sinkMaxInFlightPerTask", http.isPresent() ? settings.maxInFlight() : 0);
        status.put("circuitState", http.map(HttpSink::circuitState).orElse("NONE"));
        status.put("conservation", conservation().toMap());
        Map<String, Long> entries = new LinkedHashMap<>();
        for (String store : List.of(BufferProcessor.STORE, Ledger.storeName(MetricNames.PIPELINE_LOGS))) {
            entries.put(store, metrics.storeEntries().entries(MetricNames.PIPELINE_LOGS, store));
        }
        status.put("storeEntries", entries);
        return status;
    }
}
