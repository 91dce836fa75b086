package dev.pipeline.load;

import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.Topics;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * Malformed records drawn at random from the bad-input corpus of the policy package, the same
 * records its bad-input integration test sends: wire-level damage (dropped as
 * {@code deserialization}) and records that decode but break the input contract (null key or
 * value, key mismatch, oversized strings, absurd timestamps: dropped as {@code processing}).
 */
public final class CorpusMalformedRecords implements MalformedRecords {
    private final List<BadRecordCorpus.Entry> entries;

    public CorpusMalformedRecords(LoadKind kind, Topics topics, BadRecordCorpus.SchemaIds ids, long nowMs) {
        this.entries = BadRecordCorpus.forTarget(target(kind), topics, ids, nowMs);
    }

    /** The corpus for {@code kind}'s topic, with schema ids obtained through the app's serdes (so from its registry). */
    public static CorpusMalformedRecords forKind(LoadKind kind, Topics topics, SerdeFactory serdes) {
        return new CorpusMalformedRecords(kind, topics, idsThrough(serdes), System.currentTimeMillis());
    }

    public List<BadRecordCorpus.Entry> entries() {
        return entries;
    }

    @Override
    public RawRecord next(Random random, RawRecord valid) {
        BadRecordCorpus.Entry e = entries.get(random.nextInt(entries.size()));
        return new RawRecord(e.key(), e.value());
    }

    static BadRecordCorpus.Target target(LoadKind kind) {
        return kind == LoadKind.LOGS ? BadRecordCorpus.Target.LOGS_RAW : BadRecordCorpus.Target.ORDERS;
    }

    /**
     * Schema ids as the serializer gets them (registered or looked up, per auto.register.schemas):
     * serialize a probe record for the subject's topic and read the id from the wire-format header.
     */
    static BadRecordCorpus.SchemaIds idsThrough(SerdeFactory serdes) {
        return (subject, schema) -> {
            String topic = subject.endsWith("-value") ? subject.substring(0, subject.length() - "-value".length()) : subject;
            byte[] bytes = schema.getFullName().equals(LogEvent.getClassSchema().getFullName())
                    ? serialize(serdes, LogEvent.class, topic, BadRecordCorpus.validLogEvent("schema-probe", "schema-probe", 0))
                    : serialize(serdes, OrderEvent.class, topic, BadRecordCorpus.validOrderEvent("schema-probe", "schema-probe", 0));
            return ByteBuffer.wrap(bytes, 1, 4).getInt();
        };
    }

    private static <V extends SpecificRecord> byte[] serialize(SerdeFactory serdes, Class<V> type, String topic, V value) {
        return serdes.valueSerde(type).serializer().serialize(topic, value);
    }
}
