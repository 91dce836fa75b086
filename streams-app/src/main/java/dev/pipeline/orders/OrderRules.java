package dev.pipeline.orders;

import dev.pipeline.policy.InputValidation;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;

/**
 * What an order event must satisfy before the order pipeline looks at its order: the shared input
 * contract ({@link InputValidation}: keyed by orderId, texts present and bounded, event time sane)
 * plus the order's content rules (ids not blank, amount not negative and positive on CREATED,
 * currency three upper-case letters). A violation throws the {@code RecordRejectedException} that
 * the processing exception handler dead-letters with the record's original bytes, so such records
 * never enter the ledger.
 */
final class OrderRules {
    private final InputValidation input;

    OrderRules(InputValidation input) {
        this.input = input;
    }

    void validate(String key, OrderEvent e, long wallClockMs) {
        input.requireKeyed(key, e, e == null ? null : e.getOrderId());
        requireNotBlank("eventId", e.getEventId());
        requireNotBlank("orderId", e.getOrderId());
        requireNotBlank("customerId", e.getCustomerId());
        input.requireLength("currency", e.getCurrency());
        input.requireTimestamp("timestamp", e.getTimestamp().toEpochMilli(), wallClockMs);
        // messages are built only for a violation: joined eagerly they were a string per event
        if (e.getAmountCents() < 0) {
            throw input.rejection("amountCents " + e.getAmountCents() + " is negative");
        }
        if (e.getType() == OrderEventType.CREATED && e.getAmountCents() <= 0) {
            throw input.rejection("amountCents must be positive on CREATED, was " + e.getAmountCents());
        }
        input.require(isCurrencyCode(e.getCurrency()), "currency must be three upper-case letters");
    }

    /** [A-Z]{3}, without a regex matcher per event. */
    private static boolean isCurrencyCode(String c) {
        if (c == null || c.length() != 3) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            char ch = c.charAt(i);
            if (ch < 'A' || ch > 'Z') {
                return false;
            }
        }
        return true;
    }

    private void requireNotBlank(String field, String value) {
        input.requireText(field, value);
        if (value.isBlank()) {
            throw input.rejection("blank " + field);
        }
    }
}
