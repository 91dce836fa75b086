package dev.pipeline.logs;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.kafka.Topics;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.policy.Ledger;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The log-aggregation pipeline: {@code logs-raw} (key service, value LogEvent) → bounded
 * per-service buffer → {@code logs-aggregated} (LogBatch), drops to the DLQ. Its own application
 * id; {@code at_least_once} unless {@code logs.processing.guarantee} says exactly_once_v2.
 */
public final class LogsPipeline implements StreamsPipeline {
    public static final String SOURCE_NAME = "logs-source";

    private final LogsSettings settings;
    private final TaskBuffers tasks;
    private final Topology topology;

    private LogsPipeline(LogsSettings settings, TaskBuffers tasks, Topology topology) {
        this.settings = settings;
        this.tasks = tasks;
        this.topology = topology;
    }

    /** The pipeline for the app: settings from the config, gauges registered on the context's metrics. */
    public static LogsPipeline create(PipelineContext ctx) {
        LogsSettings settings = LogsSettings.from(ctx.config());
        TaskBuffers tasks = new TaskBuffers();
        tasks.registerGauges(ctx.metrics(), MetricNames.PIPELINE_LOGS);
        ctx.metrics().initialise(MetricNames.PIPELINE_LOGS);
        return new LogsPipeline(settings, tasks, buildTopology(ctx, settings, tasks, task -> BatchSink.NONE));
    }

    /**
     * The topology (tests drive it with TopologyTestDriver). Nodes: {@link #SOURCE_NAME} →
     * {@link BufferProcessor#NAME} (stores {@link BufferProcessor#STORE}, {@code logs-ledger},
     * {@link CommitSignal#NAME})
     * → {@link BufferProcessor#OUTPUT_SINK} and {@link DeadLetters#SINK_NAME}.
     */
    static Topology buildTopology(PipelineContext ctx, LogsSettings settings, TaskBuffers tasks,
            BufferProcessor.SinkFactory sinks) {
        Topics topics = ctx.topics();
        PipelineMetrics metrics = ctx.metrics();
        Serde<LogEvent> events = ctx.serdes().valueSerde(LogEvent.class);
        Serde<LogBatch> batches = ctx.serdes().valueSerde(LogBatch.class);
        Topology t = new Topology();
        t.addSource(SOURCE_NAME, Serdes.String().deserializer(), events.deserializer(), topics.logsRaw());
        t.addProcessor(BufferProcessor.NAME, () -> new BufferProcessor(settings, events, batches, topics.logsRaw(),
                topics.logsAggregated(), metrics, tasks, sinks), SOURCE_NAME);
        t.addStateStore(bufferStore(), BufferProcessor.NAME);
        t.addStateStore(Ledger.storeBuilder(MetricNames.PIPELINE_LOGS), BufferProcessor.NAME);
        t.addStateStore(CommitSignal.builder(), BufferProcessor.NAME);
        t.addSink(BufferProcessor.OUTPUT_SINK, topics.logsAggregated(), Serdes.String().serializer(),
                batches.serializer(), BufferProcessor.NAME);
        t.addSink(DeadLetters.SINK_NAME, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(),
                BufferProcessor.NAME);
        return t;
    }

    /**
     * Persistent and changelogged, so a crash loses nothing consumed; cached, so an event buffered
     * and flushed within one commit interval never reaches RocksDB or the changelog.
     */
    static StoreBuilder<KeyValueStore<Long, byte[]>> bufferStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BufferProcessor.STORE), Serdes.Long(),
                Serdes.ByteArray()).withCachingEnabled().withLoggingEnabled(Map.of());
    }

    @Override
    public String name() {
        return MetricNames.PIPELINE_LOGS;
    }

    @Override
    public Topology topology() {
        return topology;
    }

    @Override
    public Map<String, Object> streamsProperties() {
        return Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
    }

    public LogsSettings settings() {
        return settings;
    }

    /** Sums over the tasks this process owns now; the ledger terms are as of each task's last tick. */
    public TaskBuffers tasks() {
        return tasks;
    }

    @Override
    public Map<String, Object> status() {
        Ledger.Snapshot s = tasks.conservation();
        Map<String, Long> byReason = new TreeMap<>();
        for (Map.Entry<DropReason, Long> e : tasks.droppedByReason().entrySet()) {
            byReason.put(e.getKey().label(), e.getValue());
        }
        Map<String, Object> conservation = new LinkedHashMap<>();
        conservation.put("in", s.in());
        conservation.put("out", s.out());
        conservation.put("dlq", s.dlq());
        conservation.put("dropped", s.dropped());
        conservation.put("buffered", s.buffered());
        conservation.put("imbalance", s.imbalance());
        conservation.put("holds", s.holds());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("recordsIn", s.in());
        status.put("recordsOut", s.out());
        status.put("droppedByReason", byReason);
        status.put("dlq", s.dlq());
        status.put("buffered", tasks.records());
        status.put("bufferedBytes", tasks.bytes());
        status.put("capacityRecords", tasks.capacityRecords());
        status.put("capacityBytes", tasks.capacityBytes());
        status.put("overflowPolicy", settings.policy().name());
        status.put("sinkInFlight", tasks.inFlight());
        status.put("sinkMaxInFlight", settings.httpUrl().isPresent() ? (long) settings.maxInFlight() * tasks.tasks() : 0L);
        status.put("tasks", tasks.tasks());
        status.put("conservation", conservation);
        return status;
    }
}
