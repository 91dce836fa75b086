package dev.pipeline.load;

import org.apache.avro.specific.SpecificRecord;

/** Realistic events of one input topic, one after another. Not thread-safe: one per generator loop. */
public interface EventGenerator<V extends SpecificRecord> {
    Class<V> valueType();

    GeneratedEvent<V> next();
}
