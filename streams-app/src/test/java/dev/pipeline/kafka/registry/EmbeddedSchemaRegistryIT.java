package dev.pipeline.kafka.registry;

import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.NO_DEFAULT;
import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.V1;
import static dev.pipeline.kafka.registry.InMemorySchemaRegistryClientTest.V2;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class EmbeddedSchemaRegistryIT {

    @Test
    void idsSurviveCloseAndReopenOnTheSameTopic(TestBroker broker) throws IOException {
        int logs;
        int thingV2;
        try (EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(broker.bootstrapServers())) {
            HttpServer server = serve(registry);
            try {
                HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url(server));
                logs = client.register("logs-raw-value", LogEvent.getClassSchema());
                client.register("thing-value", V1);
                thingV2 = client.register("thing-value", V2);
            } finally {
                server.stop(0);
            }
        }

        try (EmbeddedSchemaRegistry reopened = new EmbeddedSchemaRegistry(broker.bootstrapServers())) {
            HttpServer server = serve(reopened);
            try {
                HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(url(server));
                assertThat(client.getById(logs)).isEqualTo(LogEvent.getClassSchema());
                assertThat(client.register("logs-raw-value", LogEvent.getClassSchema())).isEqualTo(logs);
                assertThat(client.latest("thing-value")).isEqualTo(new SchemaVersion("thing-value", 2, thingV2, V2));
                assertThat(client.register("orders-value", OrderEvent.getClassSchema())).isEqualTo(thingV2 + 1);
            } finally {
                server.stop(0);
            }
        }

        try (EmbeddedSchemaRegistry third = new EmbeddedSchemaRegistry(broker.bootstrapServers())) {
            assertThat(third.client().subjects()).containsExactly("logs-raw-value", "orders-value", "thing-value");
            assertThat(third.client().getById(thingV2 + 1)).isEqualTo(OrderEvent.getClassSchema());
        }
    }

    @Test
    void createsACompactedSinglePartitionTopic(TestBroker broker) throws Exception {
        String topic = "_schemas-created-" + System.nanoTime();
        try (KafkaSchemaStore store = new KafkaSchemaStore(broker.bootstrapServers(), topic, Map.of());
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()))) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);

            assertThat(description.partitions()).hasSize(1);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(store.readAll()).isEmpty();
        }
    }

    @Test
    void storeReadsBackWhatItWroteAndAnExistingTopicIsReused(TestBroker broker) {
        String topic = "_schemas-reuse-" + System.nanoTime();
        SchemaVersion version = new SchemaVersion("s", 1, 1, V1);
        try (KafkaSchemaStore store = new KafkaSchemaStore(broker.bootstrapServers(), topic, Map.of())) {
            store.append(version);
        }
        try (KafkaSchemaStore again = new KafkaSchemaStore(broker.bootstrapServers(), topic, Map.of())) {
            assertThat(again.readAll()).containsExactly(new StoreRecord.Version(version, false));
        }
    }

    @Test
    void configsAndDeletionsSurviveARestart(TestBroker broker) throws Exception {
        String topic = "_schemas-state-" + System.nanoTime();
        try (RegistryHttp http = new RegistryHttp(new EmbeddedSchemaRegistry(
                new KafkaSchemaStore(broker.bootstrapServers(), topic, Map.of())))) {
            http.ok("PUT", "/config", "{\"compatibility\":\"FULL\"}");
            http.ok("PUT", "/config/kept", "{\"compatibility\":\"NONE\"}");
            for (String subject : List.of("kept", "soft", "gone")) {
                http.ok("POST", "/subjects/" + subject + "/versions", RegistryHttp.schemaBody(V1));
            }
            http.ok("POST", "/subjects/kept/versions", RegistryHttp.schemaBody(V2));
            http.ok("DELETE", "/subjects/kept/versions/1", null);
            http.ok("DELETE", "/subjects/soft", null);
            http.ok("DELETE", "/subjects/gone", null);
            http.ok("DELETE", "/subjects/gone?permanent=true", null);
            // the highest id (3) deleted for good: it must not come back after the restart
            http.ok("POST", "/subjects/last/versions", RegistryHttp.schemaBody(NO_DEFAULT));
            http.ok("DELETE", "/subjects/last", null);
            http.ok("DELETE", "/subjects/last?permanent=true", null);
        }

        try (RegistryHttp http = new RegistryHttp(new EmbeddedSchemaRegistry(
                new KafkaSchemaStore(broker.bootstrapServers(), topic, Map.of())))) {
            assertThat(http.ok("GET", "/config", null).get("compatibilityLevel").asText()).isEqualTo("FULL");
            assertThat(http.ok("GET", "/config/kept", null).get("compatibilityLevel").asText()).isEqualTo("NONE");
            assertThat(http.ok("GET", "/subjects", null)).isEqualTo(RegistryHttp.json("[\"kept\"]"));
            assertThat(http.ok("GET", "/subjects?deleted=true", null))
                    .isEqualTo(RegistryHttp.json("[\"kept\",\"soft\"]"));
            assertThat(http.ok("GET", "/subjects/kept/versions", null)).isEqualTo(RegistryHttp.json("[2]"));
            assertThat(http.ok("GET", "/subjects/kept/versions?deleted=true", null))
                    .isEqualTo(RegistryHttp.json("[1,2]"));
            http.error("DELETE", "/subjects/soft", null, 404, SchemaRegistryException.SUBJECT_SOFT_DELETED);
            http.error("GET", "/subjects/gone/versions?deleted=true", null, 404, SchemaRegistryException.SUBJECT_NOT_FOUND);
            // ids handed out before the restart are not handed out again
            assertThat(http.ok("POST", "/subjects/new/versions", RegistryHttp.schemaBody(LogEvent.getClassSchema()))
                    .get("id").asInt()).isEqualTo(4);
        }
    }

    private static HttpServer serve(EmbeddedSchemaRegistry registry) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/registry", registry);
        server.start();
        return server;
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/registry";
    }
}
