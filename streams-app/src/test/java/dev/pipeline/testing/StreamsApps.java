package dev.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Kafka Streams instances an integration test starts itself, over one temporary state dir:
 * {@link #close()} (the test's {@code @AfterEach}) closes every one still running and deletes the
 * dir, whether the test passed or not.
 */
public final class StreamsApps implements AutoCloseable {
    private final String prefix;
    private final List<KafkaStreams> started = new ArrayList<>();
    private Path stateDir;

    public StreamsApps(String prefix) {
        this.prefix = prefix;
    }

    /** The state dir, created on first use. */
    public Path stateDir() {
        if (stateDir == null) {
            try {
                stateDir = Files.createTempDirectory(prefix);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return stateDir;
    }

    /** Keeps {@code streams} for {@link #close()}; returns it. */
    public KafkaStreams track(KafkaStreams streams) {
        started.add(streams);
        return streams;
    }

    /** Creates {@code topics} with {@code partitions} partitions each (replication 1). */
    public static void createTopics(TestBroker broker, int partitions, List<String> topics)
            throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList()).all().get();
        }
    }

    @Override
    public void close() {
        for (KafkaStreams s : started) {
            s.close(Duration.ofSeconds(30));
        }
        started.clear();
        if (stateDir != null) {
            KafkaBrokerExtension.deleteRecursively(stateDir);
        }
    }
}
