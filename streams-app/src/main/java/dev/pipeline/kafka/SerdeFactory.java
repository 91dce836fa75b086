package dev.pipeline.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Makes the Avro value serdes of the app's records (Confluent wire format, schema ids from the
 * configured registry). Topologies take one of these so tests can hand them an in-memory registry.
 */
@FunctionalInterface
public interface SerdeFactory {
    <T extends SpecificRecord> Serde<T> valueSerde(Class<T> type);
}
