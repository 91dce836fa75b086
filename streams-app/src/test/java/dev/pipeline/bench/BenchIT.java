package dev.pipeline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.app.PipelineContext;
import dev.pipeline.app.StreamsPipeline;
import dev.pipeline.cli.Main;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.load.LoadKind;
import dev.pipeline.observe.MetricNames;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class BenchIT {

    /** The real command, its own embedded broker: every scenario that exists runs and has a positive figure. */
    @Test
    void shouldRunEveryExistingScenarioQuicklyAndWriteJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        int rc = Main.execute("bench", "--quick", "--json", json.toString(), "--state-dir", dir.resolve("state").toString());
        assertThat(rc).isZero();

        JsonNode report = new ObjectMapper().readTree(json.toFile());
        Set<String> names = Scenarios.all().stream().map(Scenario::name).collect(Collectors.toSet());
        assertThat(report.get("scenarios")).hasSize(names.size());
        for (JsonNode s : report.get("scenarios")) {
            Scenario scenario = Scenarios.all().stream().filter(x -> x.name().equals(s.get("name").asText())).findFirst().orElseThrow();
            if (scenario.unavailable().isPresent()) {
                assertThat(s.get("status").asText()).as(s.get("name").asText()).isEqualTo("SKIPPED");
                assertThat(s.get("reason").asText()).isNotBlank();
            } else {
                assertThat(s.get("status").asText()).as(s.get("name").asText()).isEqualTo("OK");
                assertThat(s.get("recordsPerSecond").asDouble()).as(s.get("name").asText()).isPositive();
            }
        }
        assertThat(report.get("machine").get("cores").asInt()).isPositive();
        assertThat(report.get("goals")).isNotEmpty();
        assertThat(report.get("command").asText()).contains("bench --quick");
    }

    /**
     * The "ours" machinery (pipeline built from its context, fresh topics, buffer gauges sampled,
     * ratios) with a stand-in pipeline, so it is proven before the real pipelines land.
     */
    @Test
    void shouldBenchAPipelineThroughItsFactoryAndSampleItsBufferGauges(TestBroker broker, @TempDir Path dir) {
        PipelineConfig config = PipelineConfig.defaults().with(Map.of("bootstrap.servers", broker.bootstrapServers()));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        BenchOptions options = new BenchOptions(3_000, 2, 0, 2, 100, 1, List.of());
        List<ScenarioResult> results;
        try (BenchEnvironment env = BenchEnvironment.start(config, dir)) {
            results = new BenchRunner(env, options, new PrintStream(log, true, StandardCharsets.UTF_8)).run(List.of(
                    StreamsScenario.passthrough(Scenario.Guarantee.ALOS),
                    new PipelineScenario(Scenarios.LOGS, PipelineRef.of("stand-in", StandInPipeline::new), LoadKind.LOGS,
                            Scenario.Guarantee.ALOS, e -> Map.of()),
                    new PipelineScenario("not built", PipelineRef.missing("nope", "nope is not built yet"), LoadKind.LOGS,
                            Scenario.Guarantee.ALOS, e -> Map.of())));
        }
        BenchReport report = BenchReport.of("test", MachineInfo.current(), "test broker", options, 100, results);

        ScenarioResult ours = report.scenarios().get(1);
        // the clock stops when Streams' process-total reaches the input size: it must count records, not calls
        assertThat(StandInPipeline.PROCESSED.get()).isGreaterThanOrEqualTo(2 * 3_000);
        assertThat(ours.status()).as(log.toString(StandardCharsets.UTF_8)).isEqualTo(ScenarioResult.Status.OK);
        assertThat(ours.runs()).hasSize(2).allMatch(r -> r > 0);
        assertThat(ours.ratioToPassthrough()).isPositive();
        assertThat(ours.extras()).containsEntry(PipelineScenario.BUFFER_CAP_BYTES, 1_000_000.0);
        assertThat(ours.extras().get(PipelineScenario.BUFFER_PEAK_BYTES)).isBetween(0.0, 1_000_000.0);
        assertThat(report.scenarios().get(2).status()).isEqualTo(ScenarioResult.Status.SKIPPED);
        assertThat(report.scenarios().get(2).reason()).contains("not built yet");
        assertThat(report.goals()).anyMatch(g -> g.goal().contains("never above its cap") && g.status() == Goal.Status.MET);
        assertThat(report.table()).contains(Scenarios.LOGS).contains("SKIPPED");
    }

    /** Passes LogEvent bytes through and exposes buffer gauges the way the logs pipeline will. */
    static final class StandInPipeline implements StreamsPipeline {
        static final AtomicLong PROCESSED = new AtomicLong();
        private final PipelineContext ctx;
        private final AtomicLong bytes = new AtomicLong();

        StandInPipeline(PipelineContext ctx) {
            this.ctx = ctx;
            ctx.metrics().gauge(MetricNames.BUFFER_BYTES, name(), bytes::get);
            ctx.metrics().gauge(MetricNames.BUFFER_CAPACITY_BYTES, name(), () -> 1_000_000);
        }

        @Override
        public String name() {
            return "logs";
        }

        @Override
        public Topology topology() {
            StreamsBuilder b = new StreamsBuilder();
            b.stream(ctx.topics().logsRaw(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .peek((k, v) -> {
                        bytes.set(v.length);
                        PROCESSED.incrementAndGet();
                    })
                    .to(ctx.topics().logsAggregated(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
            return b.build();
        }

        @Override
        public Map<String, Object> streamsProperties() {
            return Map.of("application.id", "stand-in");
        }
    }
}
