package dev.pipeline.orders;

import dev.pipeline.config.DedupClock;
import dev.pipeline.kafka.WriteBackStore;
import dev.pipeline.kafka.serde.WithBytes;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import dev.pipeline.observe.StoreEntries;
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
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies order events, one task (input partition) per instance. For each event, in this order:
 * <ol>
 *   <li>input contract and content rules ({@link OrderRules}): a
 *       {@code RecordRejectedException} ({@code processing}) that the processing exception handler
 *       dead-letters with the record's original bytes; such records never enter the ledger;</li>
 *   <li>eventId applied to this order within the dedup TTL: drop {@code duplicate} (counted, not DLQ'd);</li>
 *   <li>order still CREATED and its payment deadline reached in stream time (this record included):
 *       emit its EXPIRED result now; an expired order drops every later event as {@code expired};</li>
 *   <li>transition not allowed ({@link OrderStateMachine}): drop {@code invalid_transition};</li>
 *   <li>otherwise apply: new state (the eventId remembered inside it), emit one result.</li>
 * </ol>
 * Cost of an applied event: one read and one write of the order's state in its write-back map (so
 * several events of one order within a commit interval become one RocksDB write and one changelog
 * record, and a recently used order is read without RocksDB or a deserialization), the ledger's
 * two terms, and index writes when the order enters and leaves CREATED (none when both fall in one
 * commit interval) and when it ends (an append to the task's open {@link RetentionIndex} chunk,
 * written once per commit). Drops of steps 2-4 go through {@link DropRecorder} and, for DLQ
 * reasons, to {@link DeadLetters#SINK_NAME} with the record's original bytes ({@link WithBytes}).
 * All output goes through this task, so under exactly_once_v2 it commits or aborts together.
 *
 * <p>A wall-clock punctuator handles, per tick, at most {@code orders.expiry.scan.max} due payment
 * deadlines (expiring the orders still CREATED) and as many orders of due retention chunks
 * (deleting the terminal orders whose last event is {@code orders.retention.ms} of stream time old:
 * later events for them are judged as for an unknown order, so a resent CREATED starts the order again), then
 * publishes the store sizes. A second one runs the shared {@link ConservationCheck} over the
 * task's ledger.
 *
 * <p>With payment authorization on ({@code orders.authorization.url}), after the ledger counts an
 * event: an order with parked events queues it behind them, and a PAID that step 4 would apply
 * parks instead ({@link ParkingLot}: the call, the retries, the order of the events behind it);
 * events leave the lot through the same steps 2-5 ({@link #handle}). Off, {@code lot} is null and
 * the only cost is that one null check per event: the benchmarked path is otherwise unchanged.
 */
final class OrderProcessor implements Processor<String, WithBytes<OrderEvent>, Object, Object> {
    private final OrdersSettings settings;
    private final PipelineMetrics metrics;
    private final OrderRules rules;
    private final ConservationCheck conservation;
    /** Null when payment authorization is off: then nothing below about parking runs. */
    private final Parking parking;

    private ProcessorContext<Object, Object> ctx;
    private KeyValueStore<String, OrderState> orders;
    private KeyValueStore<Bytes, byte[]> deadlines;
    /** The same store without Kafka's read-write decorator, for {@link WriteBackStore#insertNew}. */
    private WriteBackStore<Bytes, byte[]> deadlinesIndex;
    private KeyValueStore<Bytes, byte[]> retention;
    private RetentionIndex retentionIndex;
    private KeyValueStore<String, Long> ledgerStore;
    private KeyValueStore<String, Long> counts;
    /** Orders in the orders store (exact; restored with the counts store). */
    private long orderCount;
    private Ledger ledger;
    private DropRecorder drops;
    private Counter recordsIn;
    private Counter recordsOut;
    private Cancellable maintenance;
    private Cancellable conservationTicks;
    private ParkingLot lot;
    private Cancellable parkingTicks;
    private final List<StoreEntries.Contribution> sizes = new ArrayList<>();

    OrderProcessor(OrdersSettings settings, PipelineMetrics metrics, InputValidation rules, ConservationCheck conservation,
            Parking parking) {
        this.settings = settings;
        this.parking = parking;
        this.metrics = metrics;
        this.rules = new OrderRules(rules);
        this.conservation = conservation;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.ctx = context;
        this.orders = context.getStateStore(OrdersPipeline.ORDERS_STORE);
        this.deadlines = context.getStateStore(OrdersPipeline.DEADLINES_STORE);
        this.deadlinesIndex = WriteBackStore.unwrap(deadlines);
        this.retention = context.getStateStore(OrdersPipeline.RETENTION_STORE);
        this.retentionIndex = new RetentionIndex(retention);
        this.ledgerStore = context.getStateStore(Ledger.storeName(MetricNames.PIPELINE_ORDERS));
        this.ledger = new Ledger(ledgerStore);
        this.counts = context.getStateStore(OrdersPipeline.COUNTS_STORE);
        Long stored = counts.get(OrdersPipeline.ORDERS_STORE);
        this.orderCount = stored == null ? 0L : stored;
        this.drops = new DropRecorder(MetricNames.PIPELINE_ORDERS, metrics, ledger);
        this.recordsIn = metrics.recordsIn(MetricNames.PIPELINE_ORDERS);
        this.recordsOut = metrics.recordsOut(MetricNames.PIPELINE_ORDERS);
        String task = context.taskId().toString();
        closeSizes(); // a revived task is initialised again on the same processor
        for (String store : OrdersPipeline.STORES) {
            sizes.add(metrics.storeEntries().register(MetricNames.PIPELINE_ORDERS, store, task));
        }
        this.maintenance = context.schedule(settings.maintenanceInterval(), PunctuationType.WALL_CLOCK_TIME,
                ignored -> maintain());
        if (parking != null) {
            if (lot != null) {
                lot.close(); // a revived task: its index is rebuilt from the store
            }
            lot = parking.open(context, judge(), settings.expiryScanMax());
            parkingTicks = context.schedule(AuthorizationSettings.TICK, PunctuationType.WALL_CLOCK_TIME,
                    ignored -> lot.tick(ctx.currentSystemTimeMs()));
        }
        // parked events are in flight: the ledger's "buffered" term is what the parking store holds
        ParkingLot parked = lot;
        this.conservationTicks = conservation.schedule(context, settings.conservationInterval(), ledger,
                parked == null ? () -> 0L : parked::records);
        publishSizes();
    }

    @Override
    public void process(Record<String, WithBytes<OrderEvent>> record) {
        WithBytes<OrderEvent> input = record.value();
        OrderEvent e = input == null ? null : input.value();
        // throws before the ledger sees the record: the processing handler dead-letters the original bytes
        rules.validate(record.key(), e, ctx.currentSystemTimeMs());
        recordsIn.increment();
        ledger.in(1);
        if (lot != null) {
            processWithAuthorization(record, e);
            return;
        }
        handle(e, record.timestamp(), record, null, false);
    }

    /**
     * Judges and applies or drops one event: from the input ({@code record}) or leaving the parking
     * lot ({@code parked}), exactly one of them non-null. With {@code authorize}, a PAID that would
     * be applied is not: the method returns false and the caller parks it.
     */
    private boolean handle(OrderEvent e, long timestamp, Record<String, WithBytes<OrderEvent>> record, ParkedEvent parked,
            boolean authorize) {
        // Streams advances stream time before processing; max() keeps that true for any driver
        long now = Math.max(ctx.currentStreamTimeMs(), timestamp);
        long dedupNow = dedupClock(now);
        String orderId = e.getOrderId();
        OrderState state = orders.get(orderId);
        if (state != null && state.appliedWithin(e.getEventId(), dedupNow, settings.dedupTtlMs())) {
            drop(DropReason.DUPLICATE, record, parked, null);
            return true;
        }
        if (state != null && state.awaitsPayment() && state.paymentDeadline() <= now) {
            state = expire(orderId, state);
        }
        if (state != null && state.status() == OrderStatus.EXPIRED) {
            drop(DropReason.EXPIRED, record, parked, new IllegalStateException(
                    "order " + orderId + " expired unpaid at stream time " + state.updatedAt()));
            return true;
        }
        Optional<OrderStatus> next = OrderStateMachine.next(state == null ? null : state.status(), e.getType());
        if (next.isEmpty()) {
            drop(DropReason.INVALID_TRANSITION, record, parked, new IllegalStateException(e.getType() + " is not allowed "
                    + (state == null ? "before CREATED" : "in state " + state.status())));
            return true;
        }
        if (authorize && e.getType() == OrderEventType.PAID) {
            return false;
        }
        OrderState applied;
        if (state == null) {
            applied = OrderState.created(e, Times.saturatedAdd(now, settings.paymentTimeoutMs()), timestamp,
                    now, dedupNow);
            // a payment within the same commit interval then costs no index write at all
            deadlinesIndex.insertNew(TimerKeys.key(applied.paymentDeadline(), orderId), TimerKeys.MARK);
            countOrders(1);
        } else {
            applied = state.apply(next.get(), e, timestamp, now, dedupNow, settings.dedupTtlMs());
            if (state.awaitsPayment()) {
                // left CREATED: the deadline goes, so the expiry scan only ever meets unpaid orders
                deadlines.delete(TimerKeys.key(state.paymentDeadline(), orderId));
            }
            if (applied.terminal()) {
                retentionIndex.add(orderId, applied.deletableAt(settings.retentionMs()));
            }
        }
        orders.put(orderId, applied);
        ctx.forward(new Record<>(orderId, applied.toResult(orderId), timestamp, new RecordHeaders()),
                OrdersPipeline.RESULTS_SINK);
        ledger.out(1);
        recordsOut.increment();
        return true;
    }

    // --- payment authorization (only with orders.authorization.url set) ------------------------

    /** An order with parked events queues the new one behind them; a PAID to apply parks for its call. */
    private void processWithAuthorization(Record<String, WithBytes<OrderEvent>> record, OrderEvent e) {
        long wall = ctx.currentSystemTimeMs();
        lot.drain(wall);
        String orderId = e.getOrderId();
        if (lot.isParked(orderId)) {
            lot.enqueue(orderId, parked(record, e));
        } else if (!handle(e, record.timestamp(), record, null, true)) {
            lot.park(orderId, parked(record, e), wall);
        }
        lot.drain(wall); // an authorizer that answered at once
    }

    private ParkedEvent parked(Record<String, WithBytes<OrderEvent>> record, OrderEvent e) {
        return new ParkedEvent(e, record.value().bytes(), record.timestamp(), source(), 0, -1L, -1L);
    }

    private ParkingLot.Judge judge() {
        return new ParkingLot.Judge() {
            @Override
            public boolean judge(ParkedEvent p, boolean authorized) {
                return handle(p.event(), p.timestamp(), null, p, !authorized);
            }

            @Override
            public void drop(DropReason reason, ParkedEvent p, int attempts, String why) {
                dropParked(reason, p, attempts, why == null ? null : new IllegalStateException(why));
            }
        };
    }

    @Override
    public void close() {
        if (maintenance != null) {
            maintenance.cancel();
        }
        if (conservationTicks != null) {
            conservationTicks.cancel();
        }
        if (parkingTicks != null) {
            parkingTicks.cancel();
        }
        if (lot != null) {
            lot.close();
            lot = null;
        }
        closeSizes();
        conservation.forget(ctx.taskId().toString());
    }

    private long dedupClock(long streamTime) {
        return settings.dedupClock() == DedupClock.WALL ? ctx.currentSystemTimeMs() : streamTime;
    }

    // --- effects -----------------------------------------------------------------------------

    /** Emits the EXPIRED result; the order's deadline entry becomes its retention entry. */
    private OrderState expire(String orderId, OrderState state) {
        OrderState expired = state.expired();
        orders.put(orderId, expired);
        deadlines.delete(TimerKeys.key(state.paymentDeadline(), orderId));
        retentionIndex.add(orderId, expired.deletableAt(settings.retentionMs()));
        ctx.forward(new Record<>(orderId, expired.toResult(orderId), state.paymentDeadline(), new RecordHeaders()),
                OrdersPipeline.RESULTS_SINK);
        return expired;
    }

    /** DLQ value = the record's original bytes; key = the orderId key as UTF-8 (what the producer wrote). */
    private void drop(DropReason reason, Record<String, WithBytes<OrderEvent>> record, ParkedEvent parked,
            Throwable cause) {
        if (parked != null) {
            dropParked(reason, parked, 1, cause);
            return;
        }
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        byte[] value = reason.toDeadLetterTopic() && record.value() != null ? record.value().bytes() : null;
        drops.drop(reason, key, value, record.timestamp(), record.headers(), source(), 1, cause)
                .ifPresent(dlq -> ctx.forward(dlq, DeadLetters.SINK_NAME));
    }

    /** A parked event's drop: its stored bytes and source; key = the orderId (the input key). */
    private void dropParked(DropReason reason, ParkedEvent p, int attempts, Throwable cause) {
        byte[] key = p.event().getOrderId().getBytes(StandardCharsets.UTF_8);
        drops.drop(reason, key, reason.toDeadLetterTopic() ? p.bytes() : null, p.timestamp(), new RecordHeaders(),
                p.source(), attempts, cause).ifPresent(dlq -> ctx.forward(dlq, DeadLetters.SINK_NAME));
    }

    private DeadLetters.Source source() {
        return ctx.recordMetadata()
                .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
                .orElse(DeadLetters.Source.UNKNOWN);
    }

    // --- maintenance punctuator --------------------------------------------------------------

    private void maintain() {
        long streamTime = ctx.currentStreamTimeMs();
        if (streamTime >= 0) {
            for (Bytes key : due(deadlines, streamTime)) {
                String orderId = TimerKeys.orderId(key);
                OrderState state = orders.get(orderId);
                if (state != null && state.awaitsPayment() && state.paymentDeadline() <= streamTime) {
                    expire(orderId, state);
                } else {
                    deadlines.delete(key); // stale: the order is gone or was paid in the same commit
                }
            }
            retentionIndex.due(streamTime, settings.expiryScanMax(), orderId -> deleteIfDue(orderId, streamTime));
        }
        publishSizes();
    }

    /** Deletes a terminal order whose retention has passed; see {@link RetentionIndex.Judge}. */
    private long deleteIfDue(String orderId, long streamTime) {
        OrderState state = orders.get(orderId);
        if (state == null || !state.terminal()) {
            return RetentionIndex.DONE; // stale: deleted, or deleted and created again
        }
        long at = state.deletableAt(settings.retentionMs());
        if (at > streamTime) {
            return at; // the retention was raised since
        }
        orders.delete(orderId);
        countOrders(-1);
        return RetentionIndex.DONE;
    }

    /** The keys due at {@code streamTime}: a prefix of the index, read at most {@code orders.expiry.scan.max} deep. */
    private List<Bytes> due(KeyValueStore<Bytes, byte[]> index, long streamTime) {
        List<Bytes> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = index.range(null, TimerKeys.dueUpTo(streamTime))) {
            while (due.size() < settings.expiryScanMax() && it.hasNext()) {
                due.add(it.next().key);
            }
        }
        return due;
    }

    private void countOrders(long delta) {
        orderCount += delta;
        counts.put(OrdersPipeline.ORDERS_STORE, orderCount);
    }

    private void publishSizes() {
        sizes.get(0).set(orderCount);
        sizes.get(1).set(deadlines.approximateNumEntries());
        sizes.get(2).set(retention.approximateNumEntries());
        sizes.get(3).set(ledgerStore.approximateNumEntries());
        sizes.get(4).set(counts.approximateNumEntries());
    }

    private void closeSizes() {
        sizes.forEach(StoreEntries.Contribution::close);
        sizes.clear();
    }
}
