package dev.pipeline.orders;

import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.time.Instant;

/**
 * What the pipeline remembers about one order (store {@value OrdersPipeline#ORDERS_STORE}).
 *
 * @param version         events applied to the order so far
 * @param paymentDeadline stream time at which a still-CREATED order expires; -1 once it left CREATED
 * @param updatedAt       timestamp of the last applied event (the deadline for an expired order)
 */
record OrderState(OrderStatus status, String customerId, long amountCents, String currency, String lastEventId,
        int version, long paymentDeadline, long updatedAt) {

    static OrderState created(OrderEvent e, long paymentDeadline, long timestamp) {
        return new OrderState(OrderStatus.CREATED, e.getCustomerId(), e.getAmountCents(), e.getCurrency(),
                e.getEventId(), 1, paymentDeadline, timestamp);
    }

    OrderState apply(OrderStatus next, OrderEvent e, long timestamp) {
        long deadline = next == OrderStatus.CREATED ? paymentDeadline : -1L;
        return new OrderState(next, customerId, amountCents, currency, e.getEventId(), version + 1, deadline, timestamp);
    }

    /** Expiry is not an event: version and last event id stay, the time is the deadline itself. */
    OrderState expired() {
        return new OrderState(OrderStatus.EXPIRED, customerId, amountCents, currency, lastEventId, version, -1L,
                paymentDeadline);
    }

    boolean awaitsPayment() {
        return status == OrderStatus.CREATED;
    }

    OrderResult toResult(String orderId) {
        return OrderResult.newBuilder().setOrderId(orderId).setCustomerId(customerId).setStatus(status)
                .setAmountCents(amountCents).setCurrency(currency).setLastEventId(lastEventId).setVersion(version)
                .setUpdatedAt(Instant.ofEpochMilli(updatedAt)).build();
    }
}
