package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.Topics;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class DemoLoadIT {
    private static final String SCOPE = "demo-load-it";

    @AfterAll
    static void dropRegistry() {
        SchemaRegistryClients.dropMock(SCOPE);
    }

    @Test
    void shouldFeedBothInputTopicsUntilClosedAndLeaveNoThreads(TestBroker broker) throws Exception {
        PipelineConfig config = PipelineConfig.defaults().with(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "topic.logs.raw", "demo-logs", "topic.orders", "demo-orders"));
        Topics topics = Topics.from(config);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("demo-logs", 1, (short) 1), new NewTopic("demo-orders", 1, (short) 1))).all().get();
            SerdeFactory serdes = SerdeFactory.mock(SCOPE);
            try (DemoLoad demo = DemoLoad.start(config, topics, serdes, 200)) {
                assertThat(demo.running()).isTrue();
                await().atMost(Duration.ofSeconds(30)).until(() -> endOffset(admin, "demo-logs") >= 100 && endOffset(admin, "demo-orders") >= 100);
                assertThat(demo.summaries()).allSatisfy(s -> assertThat(s.failed()).isZero());
            }
            long logsAfterClose = endOffset(admin, "demo-logs");
            assertThat(liveThreads()).as("demo threads and their producer are gone after close()").isEmpty();
            // nothing is produced once closed
            assertThat(endOffset(admin, "demo-logs")).isEqualTo(logsAfterClose);
        }
    }

    @Test
    void shouldStartNothingAtRateZero() {
        try (DemoLoad demo = DemoLoad.start(PipelineConfig.defaults(), Topics.defaults(), null, 0)) {
            assertThat(demo.running()).isFalse();
            assertThat(demo.summaries()).isEmpty();
        }
        assertThat(DemoLoad.rateFor(-1, true)).isEqualTo(DemoLoad.EMBEDDED_DEFAULT_RATE);
        assertThat(DemoLoad.rateFor(-1, false)).isZero();
        assertThat(DemoLoad.rateFor(7, false)).isEqualTo(7);
    }

    private static long endOffset(Admin admin, String topic) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get().get(tp).offset();
    }

    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("demo-load-") || n.contains("pipeline-demo-load"))
                .collect(java.util.stream.Collectors.toSet());
    }
}
