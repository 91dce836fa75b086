package dev.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class TopicProvisionerIT {

    @Test
    void shouldCreateMissingTopicsIdempotentlyAndOnlyWarnAboutOtherPartitionCounts(TestBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("prov-existing", 1, (short) 1))).all().get();
            List<TopicProvisioner.Spec> specs = List.of(
                    new TopicProvisioner.Spec("prov-new", 3, (short) -1, false),
                    new TopicProvisioner.Spec("prov-existing", 4, (short) 1, false),
                    new TopicProvisioner.Spec("prov-compacted", 1, (short) 1, true));

            List<String> first = TopicProvisioner.ensure(admin, specs, 10_000);
            List<String> second = TopicProvisioner.ensure(admin, specs, 10_000);

            assertThat(first).singleElement().asString().contains("prov-existing", "1 partitions", "configured 4");
            assertThat(second).isEqualTo(first);
            var described = admin.describeTopics(List.of("prov-new", "prov-existing")).allTopicNames().get();
            assertThat(described.get("prov-new").partitions()).hasSize(3);
            assertThat(described.get("prov-existing").partitions()).as("never altered").hasSize(1);
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, "prov-compacted");
            assertThat(admin.describeConfigs(List.of(res)).all().get().get(res)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }
}
