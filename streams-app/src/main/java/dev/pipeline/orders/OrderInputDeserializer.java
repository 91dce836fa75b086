package dev.pipeline.orders;

import dev.pipeline.schema.OrderEvent;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the input topic into {@link OrderInput}: decodes with the pipeline's Avro deserializer
 * and keeps the bytes beside the result. A record that does not decode throws from here, inside
 * the source node, so Kafka Streams' deserialization exception handler dead-letters it as
 * before; a null value (tombstone) stays null for the processor's input contract to reject.
 */
final class OrderInputDeserializer implements Deserializer<OrderInput> {
    private final Deserializer<OrderEvent> events;

    OrderInputDeserializer(Deserializer<OrderEvent> events) {
        this.events = events;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        events.configure(configs, isKey);
    }

    @Override
    public OrderInput deserialize(String topic, byte[] data) {
        return data == null ? null : new OrderInput(events.deserialize(topic, data), data);
    }

    @Override
    public OrderInput deserialize(String topic, Headers headers, byte[] data) {
        return data == null ? null : new OrderInput(events.deserialize(topic, headers, data), data);
    }

    @Override
    public void close() {
        events.close();
    }
}
