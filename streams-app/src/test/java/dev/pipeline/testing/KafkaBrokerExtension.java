package dev.pipeline.testing;

import dev.pipeline.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Gives a test class one started Kafka broker, shared by its tests and removed afterwards.
 * Default: a real embedded KRaft broker in this JVM ({@link EmbeddedKafkaBroker}) with data in a
 * temp dir. With {@code -Dtest.kafka=testcontainers} the official {@code apache/kafka} image is
 * started instead; without a Docker engine that mode skips the class with a message.
 *
 * <p>Use: {@code @ExtendWith(KafkaBrokerExtension.class)} and a {@link TestBroker} parameter.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    public static final String MODE_PROPERTY = "test.kafka";
    private static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        TestBroker broker = "testcontainers".equals(System.getProperty(MODE_PROPERTY))
                ? startContainer() : new Embedded();
        context.getStore(NS).put(TestBroker.class, broker);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestBroker broker = context.getStore(NS).remove(TestBroker.class, TestBroker.class);
        if (broker instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing test broker failed", e);
            }
        }
    }

    /** The broker of the test class {@code context} belongs to, for extensions registered after this one. */
    public static TestBroker broker(ExtensionContext context) {
        TestBroker broker = context.getStore(NS).get(TestBroker.class, TestBroker.class);
        if (broker == null) {
            throw new IllegalStateException("no broker: register KafkaBrokerExtension on the class first");
        }
        return broker;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == TestBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return e.getStore(NS).get(TestBroker.class, TestBroker.class);
    }

    private static TestBroker startContainer() {
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "-Dtest.kafka=testcontainers asked for a Docker Kafka, but no Docker engine is available: skipped");
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE);
        container.start();
        return new Container(container);
    }

    private static final class Embedded implements TestBroker, AutoCloseable {
        private final Path dir;
        private EmbeddedKafkaBroker broker;
        private final int port;

        Embedded() {
            try {
                dir = Files.createTempDirectory("test-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            broker = EmbeddedKafkaBroker.start(dir, 0);
            port = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().lastIndexOf(':') + 1));
        }

        @Override
        public String bootstrapServers() {
            return "localhost:" + port;
        }

        @Override
        public synchronized void stop() {
            if (broker != null) {
                broker.close();
                broker = null;
            }
        }

        @Override
        public synchronized void restart() {
            stop();
            broker = EmbeddedKafkaBroker.start(dir, port);
        }

        @Override
        public void close() {
            stop();
            deleteRecursively(dir);
        }
    }

    private record Container(KafkaContainer container) implements TestBroker, AutoCloseable {
        @Override
        public String bootstrapServers() {
            return container.getBootstrapServers();
        }

        @Override
        public void stop() {
            container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
        }

        @Override
        public void restart() {
            container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
        }

        @Override
        public void close() {
            container.stop();
        }
    }

    public static void deleteRecursively(Path dir) {
        try {
            org.apache.kafka.common.utils.Utils.delete(dir.toFile()); // recursive; nothing there is fine
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
