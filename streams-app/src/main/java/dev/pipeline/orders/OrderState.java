package dev.pipeline.orders;

import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the pipeline remembers about one order (store {@value OrdersPipeline#ORDERS_STORE}),
 * its dedup memory included: the ids of the events applied to it within the dedup TTL. An order
 * takes at most three events (CREATED, PAID, SHIPPED|CANCELLED), so that list has at most three
 * entries, and reading the order is also the duplicate check: one store read and one write per
 * event instead of two of each with a store keyed by event id.
 *
 * @param version         events applied to the order so far
 * @param paymentDeadline stream time at which a still-CREATED order expires; -1 once it left CREATED
 * @param updatedAt       timestamp of the last applied event (the deadline for an expired order)
 * @param lastActiveAt    stream time of the last applied event (the deadline for an expired order):
 *                        the retention of a terminal order runs from here
 * @param applied         ids of applied events with the dedup clock's time of application, oldest
 *                        first, those past the TTL pruned on every write
 */
record OrderState(OrderStatus status, String customerId, long amountCents, String currency, String lastEventId,
        int version, long paymentDeadline, long updatedAt, long lastActiveAt, List<Applied> applied) {

    /** One applied event id and when (on the dedup clock) it was applied. */
    record Applied(String eventId, long at) {}

    OrderState {
        applied = List.copyOf(applied);
    }

    static OrderState created(OrderEvent e, long paymentDeadline, long timestamp, long streamTime, long dedupNow) {
        return new OrderState(OrderStatus.CREATED, e.getCustomerId(), e.getAmountCents(), e.getCurrency(),
                e.getEventId(), 1, paymentDeadline, timestamp, streamTime,
                List.of(new Applied(e.getEventId(), dedupNow)));
    }

    OrderState apply(OrderStatus next, OrderEvent e, long timestamp, long streamTime, long dedupNow, long ttlMs) {
        long deadline = next == OrderStatus.CREATED ? paymentDeadline : -1L;
        List<Applied> ids = new ArrayList<>(applied.size() + 1);
        for (Applied a : applied) {
            if (!expired(a, dedupNow, ttlMs)) {
                ids.add(a);
            }
        }
        ids.add(new Applied(e.getEventId(), dedupNow));
        return new OrderState(next, customerId, amountCents, currency, e.getEventId(), version + 1, deadline, timestamp,
                streamTime, ids);
    }

    /** Expiry is not an event: version and last event id stay, both times become the deadline itself. */
    OrderState expired() {
        return new OrderState(OrderStatus.EXPIRED, customerId, amountCents, currency, lastEventId, version, -1L,
                paymentDeadline, paymentDeadline, applied);
    }

    /** Stream time from which the order may be deleted, once terminal. */
    long deletableAt(long retentionMs) {
        return Times.saturatedAdd(lastActiveAt, retentionMs);
    }

    /** Whether {@code eventId} was applied to this order less than the TTL ago (an older entry counts as forgotten). */
    boolean appliedWithin(String eventId, long dedupNow, long ttlMs) {
        for (Applied a : applied) {
            if (a.eventId().equals(eventId) && !expired(a, dedupNow, ttlMs)) {
                return true;
            }
        }
        return false;
    }

    boolean awaitsPayment() {
        return status == OrderStatus.CREATED;
    }

    /** No event can change the order any more: it only waits for its retention to pass. */
    boolean terminal() {
        return status == OrderStatus.SHIPPED || status == OrderStatus.CANCELLED || status == OrderStatus.EXPIRED;
    }

    OrderResult toResult(String orderId) {
        return OrderResult.newBuilder().setOrderId(orderId).setCustomerId(customerId).setStatus(status)
                .setAmountCents(amountCents).setCurrency(currency).setLastEventId(lastEventId).setVersion(version)
                .setUpdatedAt(Instant.ofEpochMilli(updatedAt)).build();
    }

    private static boolean expired(Applied a, long dedupNow, long ttlMs) {
        return dedupNow >= Times.saturatedAdd(a.at(), ttlMs);
    }
}
