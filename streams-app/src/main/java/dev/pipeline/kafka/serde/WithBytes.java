package dev.pipeline.kafka.serde;

import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A decoded input value next to the exact bytes it was decoded from. The Processor API hands a
 * processor only the decoded value; a pipeline that must dead-letter or buffer the original bytes
 * reads its input through {@link #deserializer} instead of serializing the value again (which
 * would cost an encode per event and register the app's own schema under the input's subject).
 *
 * @param value the decoded value (never null: a null input value stays a null record value)
 * @param bytes the record's value bytes as they were on the topic; not copied, do not modify
 */
public record WithBytes<T>(T value, byte[] bytes) {

    /**
     * Decodes with {@code inner} and keeps the bytes. A decoding failure is thrown as {@code inner}
     * throws it, so Kafka Streams' deserialization handler still dead-letters the record.
     */
    public static <T> Deserializer<WithBytes<T>> deserializer(Deserializer<T> inner) {
        return new Deserializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                inner.configure(configs, isKey);
            }

            @Override
            public WithBytes<T> deserialize(String topic, byte[] data) {
                return data == null ? null : new WithBytes<>(inner.deserialize(topic, data), data);
            }

            @Override
            public WithBytes<T> deserialize(String topic, Headers headers, byte[] data) {
                return data == null ? null : new WithBytes<>(inner.deserialize(topic, headers, data), data);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }
}
