package dev.pipeline.orders;

import dev.pipeline.schema.OrderStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary format of {@link OrderState} in the store and its changelog. Internal to the pipeline
 * (never in a user topic), so it needs no registry; the leading format byte lets a later version
 * read what this one wrote.
 */
final class OrderStateSerde implements Serde<OrderState>, Serializer<OrderState>, Deserializer<OrderState> {
    private static final byte FORMAT_V1 = 1;
    private static final OrderStatus[] STATUSES = OrderStatus.values();

    @Override
    public byte[] serialize(String topic, OrderState s) {
        if (s == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_V1);
            out.writeByte(s.status().ordinal());
            out.writeUTF(s.customerId());
            out.writeLong(s.amountCents());
            out.writeUTF(s.currency());
            out.writeUTF(s.lastEventId());
            out.writeInt(s.version());
            out.writeLong(s.paymentDeadline());
            out.writeLong(s.updatedAt());
        } catch (IOException e) {
            throw new SerializationException("cannot write order state", e);
        }
        return bytes.toByteArray();
    }

    @Override
    public OrderState deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte format = in.readByte();
            if (format != FORMAT_V1) {
                throw new SerializationException("unknown order state format " + format + " in " + topic);
            }
            return new OrderState(STATUSES[in.readByte()], in.readUTF(), in.readLong(), in.readUTF(), in.readUTF(),
                    in.readInt(), in.readLong(), in.readLong());
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            throw new SerializationException("corrupt order state in " + topic, e);
        }
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
