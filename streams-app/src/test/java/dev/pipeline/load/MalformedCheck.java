package dev.pipeline.load;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * Tells the corpus's malformed records from generated events: they fail to deserialize, or are
 * corpus entries that decode but break the input contract (null/empty key or value, key not the
 * value's service/order id, the corpus's own event ids).
 */
final class MalformedCheck {
    private MalformedCheck() {}

    /** The decoded generated event, or null for a malformed record. */
    static <V extends SpecificRecord> V validOrNull(AvroSerde<V> serde, String topic, byte[] key, byte[] value) {
        V v;
        try {
            v = serde.deserialize(topic, value);
        } catch (RuntimeException e) {
            return null;
        }
        if (v == null || key == null || key.length == 0) {
            return null;
        }
        String k = new String(key, StandardCharsets.UTF_8);
        String eventId;
        String owner;
        if (v instanceof LogEvent l) {
            eventId = l.getEventId();
            owner = l.getService();
        } else {
            eventId = ((OrderEvent) v).getEventId();
            owner = ((OrderEvent) v).getOrderId();
        }
        boolean corpus = eventId.isEmpty() || eventId.startsWith("corpus-") || !k.equals(owner);
        return corpus ? null : v;
    }
}
