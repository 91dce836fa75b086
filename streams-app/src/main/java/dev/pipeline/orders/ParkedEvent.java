package dev.pipeline.orders;

import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.OrderEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One event waiting in the parking store ({@value OrdersPipeline#PARKED_STORE}): the input record's
 * original bytes (the DLQ value, and what is decoded again after a restore), its timestamp and
 * source offset, and for the head of an order's queue its attempts so far, since when it is the
 * head ({@code parkedAt}, wall clock: the max-elapsed cap runs from there) and when it is due again.
 *
 * @param event the decoded {@code bytes} (not stored: decoded when the store is read)
 */
record ParkedEvent(OrderEvent event, byte[] bytes, long timestamp, DeadLetters.Source source, int attempts,
        long parkedAt, long dueAt) {

    ParkedEvent asHead(long now) {
        return new ParkedEvent(event, bytes, timestamp, source, 0, now, now);
    }

    ParkedEvent attempted(long now) {
        return new ParkedEvent(event, bytes, timestamp, source, attempts + 1, parkedAt, now);
    }

    /** Undoes {@link #attempted} for a call that was queued but never sent (the breaker refused it). */
    ParkedEvent notAttempted() {
        return new ParkedEvent(event, bytes, timestamp, source, Math.max(0, attempts - 1), parkedAt, dueAt);
    }

    ParkedEvent dueAt(long at) {
        return new ParkedEvent(event, bytes, timestamp, source, attempts, parkedAt, at);
    }

    Authorizer.Request request() {
        return new Authorizer.Request(event.getEventId(), event.getOrderId(), event.getCustomerId(), event.getAmountCents(),
                event.getCurrency());
    }

    /**
     * An order's queue, oldest first: {@code int count}, then per event {@code long timestamp, int
     * attempts, long parkedAt, long dueAt, int partition, long offset, topic (int length + UTF-8),
     * bytes (int length + raw)}. Events are decoded with the input's own deserializer.
     */
    static Serde<List<ParkedEvent>> queueSerde(Deserializer<OrderEvent> events, String inputTopic) {
        Serializer<List<ParkedEvent>> ser = (topic, queue) -> {
            if (queue == null) {
                return null;
            }
            int size = 4;
            for (ParkedEvent p : queue) {
                size += 8 + 4 + 8 + 8 + 4 + 8 + 4 + p.source().topic().getBytes(StandardCharsets.UTF_8).length + 4
                        + p.bytes().length;
            }
            ByteBuffer b = ByteBuffer.allocate(size).putInt(queue.size());
            for (ParkedEvent p : queue) {
                byte[] t = p.source().topic().getBytes(StandardCharsets.UTF_8);
                b.putLong(p.timestamp()).putInt(p.attempts()).putLong(p.parkedAt()).putLong(p.dueAt())
                        .putInt(p.source().partition()).putLong(p.source().offset())
                        .putInt(t.length).put(t).putInt(p.bytes().length).put(p.bytes());
            }
            return b.array();
        };
        Deserializer<List<ParkedEvent>> de = (topic, data) -> {
            if (data == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(data);
            int n = b.getInt();
            List<ParkedEvent> queue = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long timestamp = b.getLong();
                int attempts = b.getInt();
                long parkedAt = b.getLong();
                long dueAt = b.getLong();
                int partition = b.getInt();
                long offset = b.getLong();
                byte[] t = new byte[b.getInt()];
                b.get(t);
                byte[] bytes = new byte[b.getInt()];
                b.get(bytes);
                queue.add(new ParkedEvent(events.deserialize(inputTopic, bytes), bytes, timestamp,
                        new DeadLetters.Source(new String(t, StandardCharsets.UTF_8), partition, offset), attempts,
                        parkedAt, dueAt));
            }
            return List.copyOf(queue);
        };
        return new Serde<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {}

            @Override
            public Serializer<List<ParkedEvent>> serializer() {
                return ser;
            }

            @Override
            public Deserializer<List<ParkedEvent>> deserializer() {
                return de;
            }
        };
    }
}
