package dev.pipeline.testing;

/** A running Kafka for a test class: the embedded broker, or a Testcontainers one where Docker exists. */
public interface TestBroker {
    String bootstrapServers();

    /** Stops the broker, keeping its data (embedded mode), so a test can watch clients cope. */
    void stop();

    /** Starts it again on the same port and data after {@link #stop()}. */
    void restart();
}
