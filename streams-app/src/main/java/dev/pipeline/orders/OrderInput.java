package dev.pipeline.orders;

import dev.pipeline.schema.OrderEvent;
import java.util.Objects;

/**
 * One input record's value as the orders topology sees it: the decoded event and the exact
 * bytes it was decoded from. Drops that go to the dead-letter topic ({@code invalid_transition},
 * {@code expired}) write those bytes, so the DLQ carries the producer's own record (its schema
 * id included) and the app never serializes an {@link OrderEvent}, hence never registers a
 * schema under the input subject.
 *
 * <p>Immutable: the bytes are the deserializer's own array, which nobody else holds;
 * {@link #rawBytes()} hands out a copy (drops are rare, so the copy costs nothing in the hot path).
 */
final class OrderInput {
    private final OrderEvent event;
    private final byte[] raw;

    OrderInput(OrderEvent event, byte[] raw) {
        this.event = Objects.requireNonNull(event, "event");
        this.raw = Objects.requireNonNull(raw, "raw");
    }

    /** The decoded event. Generated Avro classes have setters: callers only read it. */
    OrderEvent event() {
        return event;
    }

    byte[] rawBytes() {
        return raw.clone();
    }
}
