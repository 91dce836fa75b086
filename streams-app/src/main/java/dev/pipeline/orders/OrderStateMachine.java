package dev.pipeline.orders;

import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderStatus;
import java.util.Optional;

/**
 * The allowed transitions of an order, in one place:
 * <pre>
 *   (none)  --CREATED-->   CREATED
 *   CREATED --PAID-->      PAID
 *   PAID    --SHIPPED-->   SHIPPED     (terminal)
 *   CREATED --CANCELLED--> CANCELLED   (terminal)
 *   PAID    --CANCELLED--> CANCELLED
 * </pre>
 * Everything else (paid before created, shipped before paid, anything after a terminal state,
 * a second CREATED) is not allowed. EXPIRED is set only by the payment timeout, never by an event.
 * No state can be re-entered, so re-applying an event that was already applied is always refused:
 * that is what keeps a duplicate that outlived the dedup TTL from being applied twice.
 */
final class OrderStateMachine {
    private OrderStateMachine() {}

    /**
     * @param current the order's status, or null when the order does not exist yet
     * @return the status after the event, or empty when the transition is not allowed
     */
    static Optional<OrderStatus> next(OrderStatus current, OrderEventType event) {
        if (current == null) {
            return event == OrderEventType.CREATED ? Optional.of(OrderStatus.CREATED) : Optional.empty();
        }
        OrderStatus next = switch (current) {
            case CREATED -> switch (event) {
                case PAID -> OrderStatus.PAID;
                case CANCELLED -> OrderStatus.CANCELLED;
                default -> null;
            };
            case PAID -> switch (event) {
                case SHIPPED -> OrderStatus.SHIPPED;
                case CANCELLED -> OrderStatus.CANCELLED;
                default -> null;
            };
            case SHIPPED, CANCELLED, EXPIRED -> null;
        };
        return Optional.ofNullable(next);
    }
}
