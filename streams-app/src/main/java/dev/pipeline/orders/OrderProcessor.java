package dev.pipeline.orders;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.policy.ConservationCheck;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.policy.DropRecorder;
import dev.pipeline.policy.InputValidation;
import dev.pipeline.policy.Ledger;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderStatus;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies order events, one task (input partition) per instance. For each event, in this order:
 * <ol>
 *   <li>input contract ({@link InputValidation}) and content rules: no value, key not the orderId,
 *       empty/blank/oversized ids, event timestamp negative or too far ahead, negative amount,
 *       non-positive amount on CREATED, currency not three upper-case letters: a
 *       {@code RecordRejectedException} ({@code processing}) that the processing exception handler
 *       dead-letters with the record's original bytes; such records never enter the ledger;</li>
 *   <li>eventId applied within the dedup TTL: drop {@code duplicate} (counted, not DLQ'd);</li>
 *   <li>order still CREATED and its payment deadline reached in stream time (this record included):
 *       emit its EXPIRED result now; an expired order drops every later event as {@code expired};</li>
 *   <li>transition not allowed ({@link OrderStateMachine}): drop {@code invalid_transition};</li>
 *   <li>otherwise apply: new state, remember the eventId, emit one result.</li>
 * </ol>
 * Drops of steps 2-4 go through {@link DropRecorder} (ledger, counters, log) and, for DLQ reasons,
 * to the {@link DeadLetters#SINK_NAME} child. Only applied events enter the dedup store, so a
 * resend of a rejected event is judged again. All output (results, DLQ records, store changes,
 * offsets) goes through this task, so under exactly_once_v2 it commits or aborts together.
 *
 * <p>A wall-clock punctuator does bounded maintenance: at most {@code orders.expiry.scan.max}
 * due deadlines and {@code orders.dedup.scan.max} dedup entries per tick (the dedup scan resumes
 * where it stopped), then publishes the dedup size. A second one runs the shared
 * {@link ConservationCheck} over the task's ledger.
 */
final class OrderProcessor implements Processor<String, OrderEvent, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(OrderProcessor.class);
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private final OrdersSettings settings;
    private final String inputTopic;
    private final Serializer<OrderEvent> eventSerializer;
    private final PipelineMetrics metrics;
    private final OrdersStatus status;
    private final InputValidation rules;
    private final ConservationCheck conservation;

    private ProcessorContext<Object, Object> ctx;
    private KeyValueStore<String, OrderState> orders;
    private KeyValueStore<String, Long> dedup;
    private KeyValueStore<String, String> deadlines;
    private Ledger ledger;
    private DropRecorder drops;
    private Counter recordsIn;
    private Counter recordsOut;
    private Cancellable maintenance;
    private Cancellable conservationTicks;
    /** Where the next dedup cleanup scan starts; null: from the first key. Not state: a restart rescans. */
    private String dedupCursor;

    OrderProcessor(OrdersSettings settings, String inputTopic, Serializer<OrderEvent> eventSerializer,
            PipelineMetrics metrics, OrdersStatus status, InputValidation rules, ConservationCheck conservation) {
        this.settings = settings;
        this.inputTopic = inputTopic;
        this.eventSerializer = eventSerializer;
        this.metrics = metrics;
        this.status = status;
        this.rules = rules;
        this.conservation = conservation;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.ctx = context;
        this.orders = context.getStateStore(OrdersPipeline.ORDERS_STORE);
        this.dedup = context.getStateStore(OrdersPipeline.DEDUP_STORE);
        this.deadlines = context.getStateStore(OrdersPipeline.DEADLINES_STORE);
        this.ledger = new Ledger(context.getStateStore(Ledger.storeName(MetricNames.PIPELINE_ORDERS)));
        this.drops = new DropRecorder(MetricNames.PIPELINE_ORDERS, metrics, ledger);
        this.recordsIn = metrics.recordsIn(MetricNames.PIPELINE_ORDERS);
        this.recordsOut = metrics.recordsOut(MetricNames.PIPELINE_ORDERS);
        this.maintenance = context.schedule(settings.maintenanceInterval(), PunctuationType.WALL_CLOCK_TIME,
                ignored -> maintain());
        this.conservationTicks = conservation.schedule(context, settings.conservationInterval(), ledger, () -> 0L);
        publishStatus();
    }

    @Override
    public void process(Record<String, OrderEvent> record) {
        OrderEvent e = record.value();
        // throws before the ledger sees the record: the processing handler dead-letters the original bytes
        validate(record.key(), e);
        recordsIn.increment();
        ledger.in(1);
        // Streams advances stream time before processing; max() keeps that true for any driver
        long now = Math.max(ctx.currentStreamTimeMs(), record.timestamp());
        if (isDuplicate(e.getEventId(), now)) {
            drop(DropReason.DUPLICATE, record, null);
            return;
        }
        String orderId = e.getOrderId();
        OrderState state = orders.get(orderId);
        if (state != null && state.awaitsPayment() && state.paymentDeadline() <= now) {
            state = expire(orderId, state);
        }
        if (state != null && state.status() == OrderStatus.EXPIRED) {
            drop(DropReason.EXPIRED, record, new IllegalStateException(
                    "order " + orderId + " expired unpaid at stream time " + state.updatedAt()));
            return;
        }
        Optional<OrderStatus> next = OrderStateMachine.next(state == null ? null : state.status(), e.getType());
        if (next.isEmpty()) {
            drop(DropReason.INVALID_TRANSITION, record, new IllegalStateException(e.getType() + " is not allowed "
                    + (state == null ? "before CREATED" : "in state " + state.status())));
            return;
        }
        OrderState applied = state == null
                ? OrderState.created(e, saturatedAdd(now, settings.paymentTimeoutMs()), record.timestamp())
                : state.apply(next.get(), e, record.timestamp());
        orders.put(orderId, applied);
        dedup.put(e.getEventId(), dedupClock(now));
        if (state == null) {
            deadlines.put(deadlineKey(applied.paymentDeadline(), orderId), orderId);
        } else if (state.awaitsPayment() && !applied.awaitsPayment()) {
            deadlines.delete(deadlineKey(state.paymentDeadline(), orderId));
        }
        ctx.forward(new Record<>(orderId, applied.toResult(orderId), record.timestamp(), new RecordHeaders()),
                OrdersPipeline.RESULTS_SINK);
        ledger.out(1);
        recordsOut.increment();
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.cancel();
        }
        if (conservationTicks != null) {
            conservationTicks.cancel();
        }
        status.remove(ctx.taskId());
        conservation.forget(ctx.taskId().toString());
    }

    // --- rules -------------------------------------------------------------------------------

    /**
     * The input contract ({@link InputValidation}: keyed by orderId, texts present and bounded,
     * event time sane) plus the order's content rules. A failure throws {@code processing}.
     */
    private void validate(String key, OrderEvent e) {
        rules.requireKeyed(key, e, e == null ? null : e.getOrderId());
        requireNotBlank("eventId", e.getEventId());
        requireNotBlank("orderId", e.getOrderId());
        requireNotBlank("customerId", e.getCustomerId());
        rules.requireLength("currency", e.getCurrency());
        rules.requireTimestamp("timestamp", e.getTimestamp().toEpochMilli(), ctx.currentSystemTimeMs());
        rules.require(e.getAmountCents() >= 0, "amountCents " + e.getAmountCents() + " is negative");
        rules.require(e.getType() != OrderEventType.CREATED || e.getAmountCents() > 0,
                "amountCents must be positive on CREATED, was " + e.getAmountCents());
        rules.require(CURRENCY.matcher(e.getCurrency()).matches(), "currency must be three upper-case letters");
    }

    private void requireNotBlank(String field, String value) {
        rules.requireText(field, value);
        rules.require(!value.isBlank(), "blank " + field);
    }

    private boolean isDuplicate(String eventId, long streamTime) {
        Long seenAt = dedup.get(eventId);
        // an entry past its TTL counts as forgotten even before the cleanup scan reaches it
        return seenAt != null && !dedupExpired(seenAt, dedupClock(streamTime));
    }

    private long dedupClock(long streamTime) {
        return settings.dedupClock() == OrdersSettings.DedupClock.WALL ? ctx.currentSystemTimeMs() : streamTime;
    }

    private boolean dedupExpired(long seenAt, long clockNow) {
        return clockNow >= saturatedAdd(seenAt, settings.dedupTtlMs());
    }

    // --- effects -----------------------------------------------------------------------------

    private OrderState expire(String orderId, OrderState state) {
        OrderState expired = state.expired();
        orders.put(orderId, expired);
        deadlines.delete(deadlineKey(state.paymentDeadline(), orderId));
        ctx.forward(new Record<>(orderId, expired.toResult(orderId), state.paymentDeadline(), new RecordHeaders()),
                OrdersPipeline.RESULTS_SINK);
        return expired;
    }

    /**
     * DLQ value = the event re-serialized with the pipeline's own value serde (same wire format,
     * schema id of the app's reader schema), since the processor API no longer has the original
     * bytes. Should that fail (registry unreachable before the id was cached) the DLQ record
     * carries no value rather than the task dying; the headers still say what and where.
     */
    private void drop(DropReason reason, Record<String, OrderEvent> record, Throwable cause) {
        DeadLetters.Source source = ctx.recordMetadata()
                .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
                .orElse(DeadLetters.Source.UNKNOWN);
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = null;
        if (reason.toDeadLetterTopic() && record.value() != null) {
            try {
                value = eventSerializer.serialize(inputTopic, record.value());
            } catch (RuntimeException e) {
                LOG.warn("[orders] cannot re-serialize dropped event for the DLQ ({}); writing it without a value", e.toString());
            }
        }
        drops.drop(reason, key, value, record.timestamp(), record.headers(), source, 1, cause)
                .ifPresent(dlq -> ctx.forward(dlq, DeadLetters.SINK_NAME));
    }

    // --- maintenance punctuator --------------------------------------------------------------

    private void maintain() {
        long streamTime = ctx.currentStreamTimeMs();
        if (streamTime >= 0) {
            expireDue(streamTime);
        }
        if (streamTime >= 0 || settings.dedupClock() == OrdersSettings.DedupClock.WALL) {
            cleanDedup(dedupClock(streamTime));
        }
        publishStatus();
    }

    /** Deadlines sort by time, so the due ones are a prefix of the store: scan only that, bounded. */
    private void expireDue(long streamTime) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = deadlines.range("", deadlineUpperBound(streamTime))) {
            while (due.size() < settings.expiryScanMax() && it.hasNext()) {
                due.add(it.next());
            }
        }
        for (KeyValue<String, String> d : due) {
            OrderState state = orders.get(d.value);
            if (state != null && state.awaitsPayment() && state.paymentDeadline() <= streamTime) {
                expire(d.value, state);
            } else {
                deadlines.delete(d.key);
            }
        }
    }

    private void cleanDedup(long clockNow) {
        List<String> expired = new ArrayList<>();
        int examined = 0;
        String last = null;
        try (KeyValueIterator<String, Long> it = dedupCursor == null ? dedup.all() : dedup.range(dedupCursor, null)) {
            while (examined < settings.dedupScanMax() && it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                examined++;
                last = kv.key;
                if (dedupExpired(kv.value, clockNow)) {
                    expired.add(kv.key);
                }
            }
            // the smallest key after 'last' in byte order: resume there next tick, or wrap around
            dedupCursor = it.hasNext() ? last + '\u0000' : null;
        }
        expired.forEach(dedup::delete);
    }

    private void publishStatus() {
        status.publish(ctx.taskId(), dedup.approximateNumEntries());
    }

    // --- deadline index keys: zero-padded so byte order is time order ------------------------

    static String deadlineKey(long deadline, String orderId) {
        return String.format("%019d:%s", deadline, orderId);
    }

    /** Just above every key with a deadline at or before {@code time} (';' follows ':'). */
    private static String deadlineUpperBound(long time) {
        return String.format("%019d;", time);
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
