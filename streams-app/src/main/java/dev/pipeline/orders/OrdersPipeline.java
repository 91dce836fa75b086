package dev.pipeline.orders;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.WriteBackStore;
import dev.pipeline.kafka.serde.WithBytes;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.ConservationCheck;
import dev.pipeline.policy.ConservationStatus;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.InputValidation;
import dev.pipeline.policy.Ledger;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Exactly-once, idempotent order processing: {@code orders} (key orderId, {@link OrderEvent}) to
 * {@code orders-processed} (key orderId, {@link OrderResult}), drops to the dead-letter topic.
 *
 * <h2>Topology</h2>
 * {@value #SOURCE} (value read as {@link WithBytes}: the decoded event and its original bytes) →
 * {@value #PROCESSOR} ({@link OrderProcessor}: validation, dedup, state machine, payment expiry,
 * retention) → {@value #RESULTS_SINK} and {@link DeadLetters#SINK_NAME}. Two ways into the
 * dead-letter topic, both written by the task's producer (so transactional), both with the
 * record's <i>original</i> bytes:
 * <ul>
 *   <li>{@code deserialization}, {@code processing} (input contract and content rules): Kafka
 *       Streams' handlers ({@code policy.ExceptionHandling}, installed by the app) with Streams'
 *       and our headers. Such records are outside the ledger;</li>
 *   <li>{@code invalid_transition}, {@code expired}: {@code DropRecorder.drop} and a forward to
 *       {@link DeadLetters#SINK_NAME}: key = the UTF-8 orderId, value = the bytes the source read,
 *       plus the {@code pipeline.error.*} headers. {@code duplicate} is counted only.</li>
 * </ul>
 * The app never serializes an {@code OrderEvent}, so it never registers a schema under the
 * input subject. Stores, all changelogged, each behind a {@link WriteBackStore} (a map of decoded
 * values written down in the pre-commit cache flush, in place of Kafka Streams' record cache, so an
 * event touches no serde, metering or cache layer):
 * <ul>
 *   <li>{@value #ORDERS_STORE} (RocksDB): orderId → {@link OrderState}, which also holds the ids of
 *       the events applied to the order within the dedup TTL (at most three);</li>
 *   <li>{@value #DEADLINES_STORE} (RocksDB): {@code <deadline><orderId>} ({@link TimerKeys}) for orders
 *       awaiting payment (put on CREATED, deleted when the order leaves CREATED), so the expiry scan
 *       reads only the due prefix and meets only unpaid orders;</li>
 *   <li>{@value #RETENTION_STORE} (RocksDB): terminal orders by their deletion time (last event + retention),
 *       in chunks of ids ({@link RetentionIndex}: the orders that end within a commit interval share one
 *       or two rows); the punctuator deletes the due ones with their order;</li>
 *   <li>{@code orders-ledger} ({@link Ledger}): in / out (= events applied) / dropped by reason;</li>
 *   <li>{@value #PARKED_STORE} (RocksDB, only with {@code orders.authorization.url} set): orderId → the
 *       order's parked events, oldest first ({@link ParkingLot}); the PAID at the head waits for its
 *       payment authorization, the order's later events wait behind it;</li>
 *   <li>{@value #COUNTS_STORE} (in memory): the exact number of orders in {@value #ORDERS_STORE}, kept by the
 *       processor (+1 on CREATED, -1 on deletion) because RocksDB's estimate counts every overwrite in
 *       the memtable until compaction, so for a store written three times per key it only ever grows.</li>
 * </ul>
 * Their sizes are the {@code pipeline_store_entries{pipeline="orders",store}} gauges and
 * {@code storeEntries} in {@link #status()}: the exact count for {@value #ORDERS_STORE}, each other
 * store's own estimate (a key is written once, a retention chunk a few times, then deleted once, which
 * the estimate follows closely; the retention store counts chunks, not orders).
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li><b>exactly_once_v2</b> (default; {@code at_least_once} only as the negative control):
 *       results, DLQ records, punctuator output, store changelogs and input offsets commit in one
 *       transaction per commit interval ({@code orders.commit.interval.ms}), so a crash at any
 *       point aborts the partial transaction and the restarted task redoes it from the committed
 *       state. Kafka 4.x clients and broker (transaction protocol v2, KIP-890) close the hanging-
 *       and lost-transaction holes Jepsen reported in 2024.</li>
 *   <li><b>transaction.timeout.ms</b> = {@code orders.transaction.timeout.ms} (10 s), checked at start to
 *       be at least 10x the commit interval, so a slow commit is never aborted by the coordinator
 *       under our feet; a restarted instance (same state dir, hence same process id and
 *       transactional id) fences its predecessor and aborts its open transaction immediately.</li>
 *   <li><b>Uncaught exceptions</b>: {@link OrdersExceptionHandler} — {@code REPLACE_THREAD} for task
 *       corruption and producer fencing (bounded), {@code SHUTDOWN_CLIENT} for everything else.</li>
 *   <li><b>Dedup TTL</b> (7 days of stream time by default), per order: a resend inside it is a
 *       {@code duplicate} (counted, not DLQ'd); one after it is not re-applied either, because no
 *       transition leads back into a state it produced — it goes to the DLQ as
 *       {@code invalid_transition} (or {@code expired}). Only applied events are remembered, so a
 *       resend of a rejected event is judged again (a PAID that arrived before its CREATED succeeds
 *       when resent after it). Event ids are unique per order: the same id on two orders is two events.</li>
 *   <li><b>Retention</b> ({@code orders.retention.ms}, 7 days, at least the dedup TTL): a terminal order
 *       leaves every store once stream time is that far past its last applied event, so state is
 *       bounded by the orders of one retention period plus the open ones. A resent CREATED after that
 *       starts the order again (version 1, a new result).</li>
 *   <li><b>Payment timeout</b>: measured in stream time from the stream time at which the order was
 *       created. The check runs both in the punctuator (orders that never see another event) and on the
 *       next event of the order, so the outcome does not depend on when the punctuator ran: an event
 *       whose arrival brings stream time to the deadline finds the order expired.</li>
 *   <li><b>Conservation</b>: the ledger lives in a changelogged store, so it survives restarts and commits
 *       with the task; the shared {@code ConservationCheck} checks it every
 *       {@code conservation.check.interval.ms} and {@link #status()} shows the sum over this instance's
 *       tasks. Nothing is buffered ({@code buffered = 0}); EXPIRED results are not input records and are
 *       outside the equation.</li>
 *   <li><b>Latency</b>: {@link #streamsProperties()} sets the producer's {@code linger.ms}, its
 *       {@code batch.size} and the commit interval for end-to-end latency and the commit's wait under
 *       exactly-once (see BENCHMARKS.md).</li>
 * </ul>
 */
public final class OrdersPipeline implements StreamsPipeline {
    public static final String NAME = MetricNames.PIPELINE_ORDERS;
    public static final String SOURCE = "orders-source";
    public static final String PROCESSOR = "orders-processor";
    public static final String RESULTS_SINK = "orders-results-sink";
    public static final String ORDERS_STORE = "orders-state";
    public static final String DEADLINES_STORE = "orders-deadlines";
    public static final String RETENTION_STORE = "orders-retention";
    public static final String COUNTS_STORE = "orders-counts";
    /** orderId → the order's parked events (only with payment authorization on); see {@link ParkingLot}. */
    public static final String PARKED_STORE = "orders-parked";
    private static final int PRODUCER_LINGER_MS = 5;
    /**
     * The task producer's batch size (Kafka's default is 16 KiB): the write-down hands the producer every
     * changelog record of a commit at once, right before the flush that waits for their acks, and larger
     * batches are fewer for the broker to append in that wait (+23% orders EOS paired, BENCHMARKS.md,
     * 2026-12-03). At most one open batch per partition the task writes, drawn from {@code buffer.memory}.
     */
    private static final int PRODUCER_BATCH_BYTES = 128 * 1024;
    /**
     * Dirty keys a store's write-back map holds before it writes them down early, and clean values it
     * keeps for reads: a task's share of a commit interval at 100,000 events/s several times over; at a
     * few hundred bytes per decoded order, a few MB per task.
     */
    private static final int MAX_PER_STORE = 10_000;
    /** Every store of the topology, in the order the processor publishes their sizes. */
    static final List<String> STORES = List.of(ORDERS_STORE, DEADLINES_STORE, RETENTION_STORE, Ledger.storeName(NAME),
            COUNTS_STORE);

    private final Topics topics;
    private final Serde<OrderEvent> eventSerde;
    private final Serde<OrderResult> resultSerde;
    private final PipelineMetrics metrics;
    private final OrdersSettings settings;
    private final InputValidation rules;
    private final ConservationStatus conservationStatus = new ConservationStatus();
    private final ConservationCheck conservation;
    /** Null when {@code orders.authorization.url} is empty. */
    private final Parking parking;

    private OrdersPipeline(Topics topics, Serde<OrderEvent> eventSerde, Serde<OrderResult> resultSerde,
            PipelineMetrics metrics, OrdersSettings settings, InputValidation rules, AuthorizationSettings auth,
            Function<String, Authorizer> authorizers) {
        this.topics = topics;
        this.eventSerde = eventSerde;
        this.resultSerde = resultSerde;
        this.metrics = metrics;
        this.settings = settings;
        this.rules = rules;
        this.conservation = new ConservationCheck(NAME, metrics, conservationStatus);
        this.parking = auth.enabled() ? new Parking(auth, metrics, authorizers == null ? Parking.http(auth) : authorizers)
                : null;
        parkedGauge(MetricNames.PARKED_RECORDS, () -> parking == null ? 0 : parking.sizes.records());
        parkedGauge(MetricNames.PARKED_KEYS, () -> parking == null ? 0 : parking.sizes.keys());
    }

    /**
     * Registered even with authorization off, so dashboards see 0 rather than no series. A gauge
     * keeps its first supplier, so a pipeline with authorization on takes the series over from an
     * earlier pipeline on the same registry (the bench builds several), one without leaves it be.
     */
    private void parkedGauge(String name, java.util.function.Supplier<Number> value) {
        var existing = metrics.registry().find(name).tag(MetricNames.TAG_PIPELINE, NAME).gauge();
        if (existing != null) {
            if (parking == null) {
                return;
            }
            metrics.registry().remove(existing);
        }
        metrics.gauge(name, NAME, value);
    }

    public static OrdersPipeline create(PipelineContext ctx) {
        return create(ctx, null);
    }

    /**
     * With the authorizer each task uses (by task id) when {@code orders.authorization.url} is set;
     * null = {@link HttpAuthorizer} on that URL. Tests pass a fake.
     */
    public static OrdersPipeline create(PipelineContext ctx, Function<String, Authorizer> authorizers) {
        return new OrdersPipeline(ctx.topics(), ctx.serdes().valueSerde(OrderEvent.class),
                ctx.serdes().valueSerde(OrderResult.class), ctx.metrics(), OrdersSettings.from(ctx.config()),
                InputValidation.from(ctx.config()), AuthorizationSettings.from(ctx.config()), authorizers);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A fresh topology on every call (tests build one per driver). */
    @Override
    public Topology topology() {
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), WithBytes.deserializer(eventSerde.deserializer()),
                topics.orders());
        t.addProcessor(PROCESSOR, () -> new OrderProcessor(settings, metrics, rules, conservation, parking), SOURCE);
        t.addStateStore(persistent(ORDERS_STORE, Serdes.String(), new OrderStateSerde()), PROCESSOR);
        t.addStateStore(persistent(DEADLINES_STORE, Serdes.Bytes(), Serdes.ByteArray()), PROCESSOR);
        t.addStateStore(persistent(RETENTION_STORE, Serdes.Bytes(), Serdes.ByteArray()), PROCESSOR);
        t.addStateStore(WriteBackStore.builder(Ledger.storeBuilder(NAME), MAX_PER_STORE), PROCESSOR);
        t.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(COUNTS_STORE),
                Serdes.String(), Serdes.Long()).withLoggingEnabled(Map.of()), MAX_PER_STORE),
                PROCESSOR);
        if (parking != null) {
            // only with authorization on, so the benchmarked topology without it has no extra store
            t.addStateStore(persistent(PARKED_STORE, Serdes.String(),
                    ParkedEvent.queueSerde(eventSerde.deserializer(), topics.orders())), PROCESSOR);
        }
        t.addSink(RESULTS_SINK, topics.ordersProcessed(), Serdes.String().serializer(), resultSerde.serializer(),
                PROCESSOR);
        t.addSink(DeadLetters.SINK_NAME, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return t;
    }

    private static <K, V> StoreBuilder<KeyValueStore<K, V>> persistent(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        return WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keySerde, valueSerde)
                .withLoggingEnabled(Map.of()), MAX_PER_STORE);
    }

    @Override
    public Map<String, Object> streamsProperties() {
        Map<String, Object> m = new LinkedHashMap<>(Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs(),
                StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), settings.transactionTimeoutMs(),
                // Streams' default is 100 ms; under exactly-once nothing is visible before the commit anyway, and
                // sending through the interval leaves less for the commit's flush, which stops processing
                // (commit latency 50-60 ms instead of 68-70 ms at 10,000 orders/s on the loaded bench machine)
                StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), PRODUCER_LINGER_MS,
                StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), PRODUCER_BATCH_BYTES,
                // a task reads one partition, so there is no other partition to wait for; with the default (0)
                // Kafka Streams formats trace strings (String.format) for every empty queue on every loop,
                // ~4% of the stream thread in the profile; -1 takes its fast path
                StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        if (parking != null) {
            // an idle stream thread blocks in poll for poll.ms (100) between punctuations, and the parking
            // punctuator is what handles answers while no input flows (AuthorizationSettings.tick)
            m.put(StreamsConfig.POLL_MS_CONFIG, AuthorizationSettings.TICK.toMillis());
        }
        return m;
    }

    /**
     * {@code conservation}: the ledger terms summed over this instance's tasks and whether
     * {@code in = out + dlq + dropped + buffered} holds (as of each task's last check); plus the
     * processing guarantee and each store's entries (the stores' own estimates, as of the last
     * maintenance tick); {@code authorization}: whether it is on, what is parked
     * ({@code pipeline_parked_records}/{@code _keys}) and, when on, the URL, breaker state and call times.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("processingGuarantee", settings.processingGuarantee());
        m.put("conservation", conservationStatus.summary(NAME).toMap());
        Map<String, Long> entries = new LinkedHashMap<>();
        for (String store : STORES) {
            entries.put(store, metrics.storeEntries().entries(NAME, store));
        }
        m.put("storeEntries", entries);
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("enabled", parking != null);
        if (parking == null) {
            // the same fields as the gauges, which exist with authorization off too: nothing parks
            auth.put("parkedRecords", 0L);
            auth.put("parkedKeys", 0L);
        } else {
            auth.put("url", parking.settings.url().toString());
            auth.put("parkedRecords", parking.sizes.records());
            auth.put("parkedKeys", parking.sizes.keys());
            auth.put("circuitState", parking.breaker().getState().name());
            var timer = metrics.externalCall(NAME).takeSnapshot();
            auth.put("calls", timer.count());
            for (var p : timer.percentileValues()) {
                auth.put("callP" + Math.round(p.percentile() * 100) + "Ms", p.value(java.util.concurrent.TimeUnit.MILLISECONDS));
            }
        }
        m.put("authorization", auth);
        return m;
    }

    @Override
    public StreamsUncaughtExceptionHandler uncaughtExceptionHandler() {
        return new OrdersExceptionHandler();
    }

    public OrdersSettings settings() {
        return settings;
    }
}
