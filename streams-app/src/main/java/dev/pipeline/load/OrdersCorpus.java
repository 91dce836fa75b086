package dev.pipeline.load;

import static dev.pipeline.load.BadRecordCorpus.OVERSIZED_CHARS;
import static dev.pipeline.load.BadRecordCorpus.avro;
import static dev.pipeline.load.BadRecordCorpus.avroBody;
import static dev.pipeline.load.BadRecordCorpus.valueSubject;
import static dev.pipeline.load.BadRecordCorpus.validLogEvent;
import static dev.pipeline.load.BadRecordCorpus.validOrderEvent;

import dev.pipeline.kafka.Topics;
import dev.pipeline.load.BadRecordCorpus.Entry;
import dev.pipeline.load.BadRecordCorpus.Io;
import dev.pipeline.load.BadRecordCorpus.SchemaIds;
import dev.pipeline.load.BadRecordCorpus.Target;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.time.Instant;
import java.util.List;

/** The bad-input corpus of {@code orders}: the common kinds, plus an order with a negative amount. */
final class OrdersCorpus extends CorpusBuilder<OrderEvent> {
    OrdersCorpus(Topics topics, SchemaIds ids, long nowMs) {
        super(Target.ORDERS,
                ids.register(valueSubject(topics.orders()), OrderEvent.getClassSchema()),
                ids.register(valueSubject(topics.logsRaw()), LogEvent.getClassSchema()),
                avroBody(validLogEvent("corpus-orders-wrong-schema", "corpus-orders-wrong-schema", nowMs)),
                nowMs);
    }

    @Override
    String keyOf(String name) {
        return "corpus-order-" + name;
    }

    @Override
    OrderEvent valid(String name) {
        return validOrderEvent("corpus-orders-" + name, keyOf(name), nowMs);
    }

    @Override
    byte[] bodyWithEnumIndex(String name, int index) {
        return orderEventBody(valid(name), index);
    }

    @Override
    OrderEvent oversized(OrderEvent v) {
        return OrderEvent.newBuilder(v).setCustomerId("c".repeat(OVERSIZED_CHARS)).build();
    }

    @Override
    String oversizedWhy() {
        return "customerId of " + OVERSIZED_CHARS + " chars";
    }

    @Override
    OrderEvent withEventId(OrderEvent v, String eventId) {
        return OrderEvent.newBuilder(v).setEventId(eventId).build();
    }

    @Override
    OrderEvent withTimestamp(OrderEvent v, Instant timestamp) {
        return OrderEvent.newBuilder(v).setTimestamp(timestamp).build();
    }

    @Override
    OrderEvent withOtherKey(OrderEvent v) {
        return OrderEvent.newBuilder(v).setOrderId("another-order").build();
    }

    @Override
    String keyField() {
        return "orderId";
    }

    @Override
    List<Entry> entries() {
        common();
        processingRules();
        rule("negative-amount", OrderEvent.newBuilder(valid("negative-amount")).setAmountCents(-500).build(),
                "amountCents -500");
        return List.copyOf(entries);
    }

    /** OrderEvent by hand: eventId, orderId, customerId, type, amountCents, currency, timestamp. */
    static byte[] orderEventBody(OrderEvent v, int typeIndex) {
        return avro(e -> Io.io(() -> {
            e.writeString(v.getEventId());
            e.writeString(v.getOrderId());
            e.writeString(v.getCustomerId());
            e.writeEnum(typeIndex);
            e.writeLong(v.getAmountCents());
            e.writeString(v.getCurrency());
            e.writeLong(v.getTimestamp().toEpochMilli());
        }));
    }
}
