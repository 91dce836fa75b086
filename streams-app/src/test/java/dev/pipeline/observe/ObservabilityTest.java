package dev.pipeline.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.config.ObserveKeys;
import dev.pipeline.config.PipelineConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start/close of the whole observe capability against a cluster that is not there. */
class ObservabilityTest {

    @Test
    void shouldReportErrForUnreachableClusterAndLeaveNoThreadsAfterClose() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(
                "bootstrap.servers", "localhost:" + closedPort,
                ObserveKeys.LAG_POLL_INTERVAL_MS_CONFIG, 200,
                ObserveKeys.LAG_ADMIN_TIMEOUT_MS_CONFIG, 500));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Observability obs = Observability.start(config, registry, Map.of(),
                List.of(LagTarget.of("pipeline-logs", "logs-raw")));
        try {
            assertThat(obs.routes()).containsOnlyKeys("/metrics", "/api/lag", "/");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(obs.lagMonitor().snapshot().group("pipeline-logs"))
                            .hasValueSatisfying(g -> assertThat(g.status()).isEqualTo(LagStatus.ERR)));
            assertThat(obs.history().toJson()).as("sampled with the lag snapshots").isNotEmpty()
                    .allSatisfy(sample -> assertThat(sample).containsKeys("at", "pipelines", "groups"));
            assertThat(registry.scrape()).contains("pipeline_consumer_lag_status{group=\"pipeline-logs\"} 4.0",
                    "jvm_memory_used_bytes", "process_uptime_seconds");
        } finally {
            obs.close();
            registry.close();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                        .filter(n -> n.contains(LagMonitor.CLIENT_ID) || n.contains("metrics-kafka-binder")))
                .as("observe threads left after close()").isEmpty());
    }

    @Test
    void shouldTakeGroupsFromConfigWhenSet() {
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(ObserveKeys.LAG_GROUPS_CONFIG, "a,pipeline-orders"));
        assertThat(LagTargets.from(config)).containsExactly(LagTarget.of("a"), LagTarget.of("pipeline-orders", "orders"));
        assertThat(LagTargets.from(PipelineConfig.defaults())).extracting(LagTarget::group)
                .containsExactly("pipeline-logs", "pipeline-orders");
    }

    @Test
    void shouldWatchTheConfiguredApplicationIds() {
        PipelineConfig config = PipelineConfig.defaults().with(Map.of("logs.application.id", "team-a-logs",
                "orders.application.id", "team-a-orders", "topic.orders", "team-a-orders-in"));
        assertThat(LagTargets.from(config)).containsExactly(LagTarget.of("team-a-logs", "logs-raw"),
                LagTarget.of("team-a-orders", "team-a-orders-in"));
    }
}
