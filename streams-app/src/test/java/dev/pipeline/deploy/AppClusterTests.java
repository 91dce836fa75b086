package dev.pipeline.deploy;

import dev.pipeline.kafka.Topics;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests that run the jar as an operator would share: one {@link AppCluster} per test
 * class on the test broker, closed (every child JVM killed) after the class, and the pipeline's
 * application reset after each test so the next one starts from empty groups and topics.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
abstract class AppClusterTests {
    /** One class at a time uses it (JUnit runs these classes one after another). */
    static AppCluster cluster;
    final Topics topics = Topics.defaults();

    @TempDir
    Path tmp;

    /** The application id of the pipeline under test, reset after each test. */
    abstract String appId();

    @BeforeAll
    static void startCluster(TestBroker broker) {
        cluster = new AppCluster(broker);
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @AfterEach
    void resetApplication() throws Exception {
        cluster.resetApplication(appId(), Set.copyOf(topics.all()));
    }
}
