package dev.pipeline.orders;

import dev.pipeline.schema.OrderStatus;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary format of {@link OrderState} in the store and its changelog, written by hand (one
 * exact-size array, no streams, no registry: the state never leaves the pipeline's own topics).
 * Format 2: byte format, byte status, string customerId, long amountCents, string currency,
 * string lastEventId, int version, long paymentDeadline, long updatedAt, long lastActiveAt,
 * byte n, n × (string eventId, long at); a string is an unsigned-short length and
 * UTF-8 bytes (ids are bounded far below 64 KiB by {@code validation.max.string.chars}).
 * Format 1 (before the dedup ids moved into the state) is refused with a message: that layout
 * came with two other stores, so an upgrade resets the application's state (see README).
 */
final class OrderStateSerde implements Serde<OrderState>, Serializer<OrderState>, Deserializer<OrderState> {
    private static final byte FORMAT_V2 = 2;
    private static final OrderStatus[] STATUSES = OrderStatus.values();
    private static final int MAX_STRING_BYTES = 0xffff;

    @Override
    public byte[] serialize(String topic, OrderState s) {
        if (s == null) {
            return null;
        }
        byte[] customer = utf8(s.customerId());
        byte[] currency = utf8(s.currency());
        byte[] last = utf8(s.lastEventId());
        List<OrderState.Applied> applied = s.applied();
        byte[][] ids = new byte[applied.size()][];
        int size = 1 + 1 + 2 + customer.length + 8 + 2 + currency.length + 2 + last.length + 4 + 3 * 8 + 1;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = utf8(applied.get(i).eventId());
            size += 2 + ids[i].length + 8;
        }
        if (ids.length > Byte.MAX_VALUE) {
            throw new SerializationException("order state with " + ids.length + " applied ids; at most 127");
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(FORMAT_V2).put((byte) s.status().ordinal());
        putString(b, customer);
        b.putLong(s.amountCents());
        putString(b, currency);
        putString(b, last);
        b.putInt(s.version()).putLong(s.paymentDeadline()).putLong(s.updatedAt()).putLong(s.lastActiveAt());
        b.put((byte) ids.length);
        for (int i = 0; i < ids.length; i++) {
            putString(b, ids[i]);
            b.putLong(applied.get(i).at());
        }
        return b.array();
    }

    @Override
    public OrderState deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            byte format = b.get();
            if (format != FORMAT_V2) {
                throw new SerializationException("order state format " + format + " in " + topic + " is not "
                        + FORMAT_V2 + ": state written by an older version; reset the orders application to upgrade");
            }
            OrderStatus status = STATUSES[b.get()];
            String customer = getString(b);
            long amount = b.getLong();
            String currency = getString(b);
            String last = getString(b);
            int version = b.getInt();
            long deadline = b.getLong();
            long updatedAt = b.getLong();
            long lastActiveAt = b.getLong();
            int n = b.get();
            List<OrderState.Applied> applied = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                applied.add(new OrderState.Applied(getString(b), b.getLong()));
            }
            return new OrderState(status, customer, amount, currency, last, version, deadline, updatedAt, lastActiveAt,
                    applied);
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new SerializationException("corrupt order state in " + topic, e);
        }
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new SerializationException("order state string of " + bytes.length + " bytes; at most " + MAX_STRING_BYTES);
        }
        return bytes;
    }

    private static void putString(ByteBuffer b, byte[] s) {
        b.putShort((short) s.length).put(s);
    }

    private static String getString(ByteBuffer b) {
        int len = b.getShort() & 0xffff;
        String s = new String(b.array(), b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }

    /** Stateless: nothing to configure or release. */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}

    @Override
    public Serializer<OrderState> serializer() {
        return this;
    }

    @Override
    public Deserializer<OrderState> deserializer() {
        return this;
    }
}
