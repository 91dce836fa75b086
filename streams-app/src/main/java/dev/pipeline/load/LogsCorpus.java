package dev.pipeline.load;

import static dev.pipeline.load.BadRecordCorpus.OVERSIZED_CHARS;
import static dev.pipeline.load.BadRecordCorpus.avro;
import static dev.pipeline.load.BadRecordCorpus.avroBody;
import static dev.pipeline.load.BadRecordCorpus.valueSubject;
import static dev.pipeline.load.BadRecordCorpus.validLogEvent;
import static dev.pipeline.load.BadRecordCorpus.validOrderEvent;
import static dev.pipeline.load.BadRecordCorpus.wireFormat;

import dev.pipeline.kafka.Topics;
import dev.pipeline.load.BadRecordCorpus.Entry;
import dev.pipeline.load.BadRecordCorpus.Io;
import dev.pipeline.load.BadRecordCorpus.SchemaIds;
import dev.pipeline.load.BadRecordCorpus.Target;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;

/** The bad-input corpus of {@code logs-raw}: the common kinds, plus a LogEvent's union and map damaged. */
final class LogsCorpus extends CorpusBuilder<LogEvent> {
    LogsCorpus(Topics topics, SchemaIds ids, long nowMs) {
        super(Target.LOGS_RAW,
                ids.register(valueSubject(topics.logsRaw()), LogEvent.getClassSchema()),
                ids.register(valueSubject(topics.orders()), OrderEvent.getClassSchema()),
                avroBody(validOrderEvent("corpus-logs-wrong-schema", "corpus-logs-wrong-schema", nowMs)),
                nowMs);
    }

    @Override
    String keyOf(String name) {
        return "corpus-svc-" + name;
    }

    @Override
    LogEvent valid(String name) {
        return validLogEvent("corpus-logs-" + name, keyOf(name), nowMs);
    }

    @Override
    byte[] bodyWithEnumIndex(String name, int index) {
        return logEventBody(valid(name), index, 0);
    }

    @Override
    LogEvent oversized(LogEvent v) {
        return LogEvent.newBuilder(v).setMessage("x".repeat(OVERSIZED_CHARS)).build();
    }

    @Override
    String oversizedWhy() {
        return "message of " + OVERSIZED_CHARS + " chars";
    }

    @Override
    LogEvent withEventId(LogEvent v, String eventId) {
        return LogEvent.newBuilder(v).setEventId(eventId).build();
    }

    @Override
    LogEvent withTimestamp(LogEvent v, Instant timestamp) {
        return LogEvent.newBuilder(v).setTimestamp(timestamp).build();
    }

    @Override
    LogEvent withOtherKey(LogEvent v) {
        return LogEvent.newBuilder(v).setService("another-service").build();
    }

    @Override
    String keyField() {
        return "service";
    }

    @Override
    List<Entry> entries() {
        common();
        deser("invalid-union-index", wireFormat(ownId, logEventBody(valid("invalid-union-index"), 2, 7)),
                "traceId union branch 7 (the union has 2)");
        deser("absurd-map-block-count", wireFormat(ownId, avro(e -> Io.io(() -> {
            LogEvent v = valid("absurd-map-block-count");
            writeLogEventPrefix(e, v, v.getLevel().ordinal(), 0);
            e.writeLong(1_000_000_000L);
            e.writeString("k");
        }))), "attributes map declares 10^9 entries, one follows");
        processingRules();
        return List.copyOf(entries);
    }

    /** LogEvent by hand: eventId, timestamp, service, host, level, message, traceId, attributes. */
    static byte[] logEventBody(LogEvent v, int levelIndex, int traceBranch) {
        return avro(e -> Io.io(() -> {
            writeLogEventPrefix(e, v, levelIndex, traceBranch);
            e.writeMapStart();
            e.setItemCount(v.getAttributes().size());
            for (Map.Entry<String, String> a : v.getAttributes().entrySet()) {
                e.startItem();
                e.writeString(a.getKey());
                e.writeString(a.getValue());
            }
            e.writeMapEnd();
        }));
    }

    private static void writeLogEventPrefix(BinaryEncoder e, LogEvent v, int levelIndex, int traceBranch)
            throws IOException {
        e.writeString(v.getEventId());
        e.writeLong(v.getTimestamp().toEpochMilli());
        e.writeString(v.getService());
        e.writeString(v.getHost());
        e.writeEnum(levelIndex);
        e.writeString(v.getMessage());
        e.writeIndex(traceBranch);
        if (traceBranch == 1) {
            e.writeString(v.getTraceId());
        }
    }
}
