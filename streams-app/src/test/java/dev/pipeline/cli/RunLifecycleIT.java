package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.app.PipelineApplication;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.registry.SchemaRegistryClients;
import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.Threads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The {@code run} lifecycle in-process: embedded broker and registry on free ports, real pipeline. */
@Tag("integration")
class RunLifecycleIT {
    private Path stateDir;
    private PipelineApplication app;

    @AfterEach
    void cleanUp() {
        if (app != null) {
            app.close();
        }
        if (stateDir != null) {
            KafkaBrokerExtension.deleteRecursively(stateDir);
        }
    }

    @Test
    void shouldRunEndToEndOnEmbeddedBrokerAndLeaveNoThreadsAfterClose() throws Exception {
        stateDir = Files.createTempDirectory("run-lifecycle-");
        Set<Thread> before = Threads.liveNonDaemon();
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                CoreKeys.EMBEDDED_BROKER_PORT_CONFIG, 0, CoreKeys.HTTP_PORT_CONFIG, 0,
                CoreKeys.STATE_DIR_CONFIG, stateDir.toString(), CoreKeys.DEMO_RATE_CONFIG, 0));

        app = PipelineApplication.start(config, Pipelines.select(Set.of()), AppPlugins.INSTANCE);

        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

        String registryUrl = app.config().getString(CoreKeys.SCHEMA_REGISTRY_URL_CONFIG);
        assertThat(registryUrl).startsWith("http://localhost:" + app.httpPort() + "/registry");
        Map<String, Object> serdeConfig = Map.of(SchemaRegistryClients.SCHEMA_REGISTRY_URL, registryUrl);
        LogEvent event = LogEvent.newBuilder().setEventId("e-1").setTimestamp(Instant.now()).setService("checkout")
                .setHost("h1").setLevel(LogLevel.ERROR).setMessage("payment declined").build();
        try (KafkaProducer<String, LogEvent> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers()),
                new StringSerializer(), AvroSerde.configured(LogEvent.class, serdeConfig, false))) {
            producer.send(new ProducerRecord<>(app.topics().logsRaw(), "checkout", event)).get();
        }

        List<LogBatch> batches = new ArrayList<>();
        try (KafkaConsumer<String, LogBatch> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "lifecycle-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), AvroSerde.configured(LogBatch.class, serdeConfig, false))) {
            consumer.subscribe(List.of(app.topics().logsAggregated()));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> batches.add(r.value()));
                return batches.stream().mapToLong(LogBatch::getCount).sum() >= 1;
            });
        }
        assertThat(batches).allSatisfy(b -> assertThat(b.getService()).isEqualTo("checkout"));
        assertThat(batches.stream().mapToLong(LogBatch::getCount).sum()).isEqualTo(1);

        app.close();
        app = null;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Threads.startedSince(before)).as("non-daemon threads left after close()").isEmpty());
    }
}
