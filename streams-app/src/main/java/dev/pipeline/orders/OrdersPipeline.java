package dev.pipeline.orders;

import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.kafka.Topics;
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
import java.util.Map;
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
 * {@value #SOURCE} → {@value #PROCESSOR} ({@link OrderProcessor}: validation, dedup, state machine,
 * payment expiry) → {@value #RESULTS_SINK} and {@link DeadLetters#SINK_NAME}. Two ways into the
 * dead-letter topic, both written by the task's producer (so transactional):
 * <ul>
 *   <li>{@code processing} (input contract and content rules): the processor throws a
 *       {@code RecordRejectedException}; the shared processing exception handler
 *       ({@code policy.ExceptionHandling}, installed by the app) writes the record's <i>original</i>
 *       key and value bytes with Streams' and our headers. Such records are outside the ledger;</li>
 *   <li>{@code invalid_transition}, {@code expired}: {@code DropRecorder.drop} and a forward to
 *       {@link DeadLetters#SINK_NAME}: key = the UTF-8 orderId, value = the event <i>re-serialized</i>
 *       with the pipeline's own value serde (Confluent wire format with the app's reader-schema id;
 *       the processor API no longer has the original bytes), plus the {@code pipeline.error.*}
 *       headers. {@code duplicate} is counted only.</li>
 * </ul>
 * Stores, all changelogged and cached:
 * <ul>
 *   <li>{@value #ORDERS_STORE} (RocksDB): orderId → {@link OrderState}. One small entry per order,
 *       never deleted: it is what rejects a late resend after its dedup entry expired;</li>
 *   <li>{@value #DEDUP_STORE} (RocksDB): eventId of every applied event → when it was applied
 *       (stream or wall time, {@code orders.dedup.ttl.clock}); bounded by {@code orders.dedup.ttl.ms}
 *       and cleaned by the maintenance punctuator; its size is the {@code pipeline_dedup_entries} gauge;</li>
 *   <li>{@value #DEADLINES_STORE} (RocksDB): {@code <deadline, zero-padded>:<orderId>} for orders awaiting
 *       payment, so the expiry scan reads only the due prefix;</li>
 *   <li>{@code orders-ledger} ({@link Ledger}): in / out (= events applied) / dropped by reason.</li>
 * </ul>
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li><b>exactly_once_v2</b> (default; {@code at_least_once} only as the negative control):
 *       results, DLQ records, punctuator output, store changelogs and input offsets commit in one
 *       transaction per commit interval ({@code orders.commit.interval.ms}, 100 ms), so a crash at any
 *       point aborts the partial transaction and the restarted task redoes it from the committed
 *       state. Kafka 4.x clients and broker (transaction protocol v2, KIP-890) close the hanging-
 *       and lost-transaction holes Jepsen reported in 2024.</li>
 *   <li><b>transaction.timeout.ms</b> = {@code orders.transaction.timeout.ms} (10 s), checked at start to
 *       be at least 10x the commit interval, so a slow commit is never aborted by the coordinator
 *       under our feet; a restarted instance (same state dir, hence same process id and
 *       transactional id) fences its predecessor and aborts its open transaction immediately.</li>
 *   <li><b>Uncaught exceptions</b>: {@link OrdersExceptionHandler} — {@code REPLACE_THREAD} for task
 *       corruption and producer fencing (bounded), {@code SHUTDOWN_CLIENT} for everything else.</li>
 *   <li><b>Dedup TTL</b> (7 days of stream time by default): a resend inside it is a {@code duplicate}
 *       (counted, not DLQ'd); one after it is not re-applied either, because no transition leads back
 *       into a state it produced — it goes to the DLQ as {@code invalid_transition} (or
 *       {@code expired}). Only applied events are remembered, so a resend of a rejected event is judged
 *       again (a PAID that arrived before its CREATED succeeds when resent after it).</li>
 *   <li><b>Payment timeout</b>: measured in stream time from the stream time at which the order was
 *       created. The check runs both in the punctuator (orders that never see another event) and on the
 *       next event of the order, so the outcome does not depend on when the punctuator ran: an event
 *       whose arrival brings stream time to the deadline finds the order expired.</li>
 *   <li><b>Conservation</b>: the ledger lives in a changelogged store, so it survives restarts and commits
 *       with the task; the shared {@code ConservationCheck} checks it every
 *       {@code conservation.check.interval.ms} and {@link #status()} shows the sum over this instance's
 *       tasks. Nothing is buffered ({@code buffered = 0}); EXPIRED results are not input records and are
 *       outside the equation.</li>
 * </ul>
 */
public final class OrdersPipeline implements StreamsPipeline {
    public static final String NAME = MetricNames.PIPELINE_ORDERS;
    public static final String SOURCE = "orders-source";
    public static final String PROCESSOR = "orders-processor";
    public static final String RESULTS_SINK = "orders-results-sink";
    public static final String ORDERS_STORE = "orders-state";
    public static final String DEDUP_STORE = "orders-dedup";
    public static final String DEADLINES_STORE = "orders-payment-deadlines";

    private final Topics topics;
    private final Serde<OrderEvent> eventSerde;
    private final Serde<OrderResult> resultSerde;
    private final PipelineMetrics metrics;
    private final OrdersSettings settings;
    private final InputValidation rules;
    private final OrdersStatus status = new OrdersStatus();
    private final ConservationStatus conservationStatus = new ConservationStatus();
    private final ConservationCheck conservation;

    private OrdersPipeline(Topics topics, Serde<OrderEvent> eventSerde, Serde<OrderResult> resultSerde,
            PipelineMetrics metrics, OrdersSettings settings, InputValidation rules) {
        this.topics = topics;
        this.eventSerde = eventSerde;
        this.resultSerde = resultSerde;
        this.metrics = metrics;
        this.settings = settings;
        this.rules = rules;
        this.conservation = new ConservationCheck(NAME, metrics, conservationStatus);
    }

    public static OrdersPipeline create(PipelineContext ctx) {
        OrdersPipeline p = new OrdersPipeline(ctx.topics(), ctx.serdes().valueSerde(OrderEvent.class),
                ctx.serdes().valueSerde(OrderResult.class), ctx.metrics(), OrdersSettings.from(ctx.config()),
                InputValidation.from(ctx.config()));
        ctx.metrics().gauge(MetricNames.DEDUP_ENTRIES, NAME, p.status::dedupEntries);
        return p;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A fresh topology on every call (tests build one per driver). */
    @Override
    public Topology topology() {
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), eventSerde.deserializer(), topics.orders());
        t.addProcessor(PROCESSOR, () -> new OrderProcessor(settings, topics.orders(), eventSerde.serializer(), metrics,
                status, rules, conservation), SOURCE);
        t.addStateStore(persistent(ORDERS_STORE, new OrderStateSerde()), PROCESSOR);
        t.addStateStore(persistent(DEDUP_STORE, Serdes.Long()), PROCESSOR);
        t.addStateStore(persistent(DEADLINES_STORE, Serdes.String()), PROCESSOR);
        t.addStateStore(Ledger.storeBuilder(NAME), PROCESSOR);
        t.addSink(RESULTS_SINK, topics.ordersProcessed(), Serdes.String().serializer(), resultSerde.serializer(),
                PROCESSOR);
        t.addSink(DeadLetters.SINK_NAME, topics.dlq(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        return t;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> persistent(String name, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
                .withCachingEnabled().withLoggingEnabled(Map.of());
    }

    @Override
    public Map<String, Object> streamsProperties() {
        return Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, settings.processingGuarantee(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs(),
                StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), settings.transactionTimeoutMs());
    }

    /**
     * {@code conservation}: the ledger terms summed over this instance's tasks and whether
     * {@code in = out + dlq + dropped + buffered} holds (as of each task's last check); plus the
     * processing guarantee and the dedup-store size.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("processingGuarantee", settings.processingGuarantee());
        m.put("conservation", conservationStatus.summary(NAME).toMap());
        m.put("dedupEntries", status.dedupEntries());
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
