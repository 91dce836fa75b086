package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Test
    void shouldListEveryContractCommandInHelp() {
        int rc = Main.execute("--help");
        assertThat(rc).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("run", "broker", "produce", "lag", "verify", "bench", "config");
    }

    @Test
    void shouldOfferTheSameVerboseOptionOnRunAndBroker() {
        for (String command : new String[] {"run", "broker"}) {
            out.reset();
            assertThat(Main.execute(command, "--help")).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(command)
                    .contains("--verbose", "Keep Kafka's own log lines", "<state-dir>/logs/kafka.log");
        }
        RunCommand run = new RunCommand();
        new picocli.CommandLine(run).parseArgs("--verbose");
        BrokerCommand broker = new BrokerCommand();
        new picocli.CommandLine(broker).parseArgs();
        assertThat(run.verbose.verbose).isTrue();
        assertThat(broker.verbose.verbose).isFalse();
    }

    @Test
    void shouldExitTwoOnUnknownKeyWithTheKeyNamed() {
        int rc = Main.execute("config", "--effective", "--set", "no.such.key=1");
        assertThat(rc).isEqualTo(Main.EXIT_BAD_CONFIG);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'no.such.key'");
    }

    @Test
    void shouldExitTwoOnInvalidValueWithValueAndAllowedRange() {
        int rc = Main.execute("run", "--http-port", "99999");
        assertThat(rc).isEqualTo(Main.EXIT_BAD_CONFIG);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'99999'", "'http.port'", "Allowed:");
    }

    @Test
    void shouldExitTwoOnUnknownPipelineName() {
        int rc = Main.execute("run", "--only", "payments");
        assertThat(rc).isEqualTo(Main.EXIT_BAD_CONFIG);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("'payments'", "Allowed:");
    }

    @Test
    void shouldExitOneQuicklyWhenBootstrapServersAreUnreachable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        long t0 = System.nanoTime();
        int rc = Main.execute("run", "--bootstrap-servers", "localhost:1", "--http-port", "0",
                "--state-dir", dir.toString(), "--set", "admin.timeout.ms=2000",
                "--set", "schema.registry.url=http://localhost:1");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(rc).isEqualTo(Main.EXIT_FAILURE);
        // the admin client reports either its own timeout or ours, depending on which fires first
        assertThat(err.toString(StandardCharsets.UTF_8)).containsIgnoringCase("provisioning topics");
        assertThat(ms).as("bounded by admin.timeout.ms, not a hang").isLessThan(30_000);
    }

    @Test
    void shouldPrintEveryKeyWithDocumentation() {
        int rc = Main.execute("config");
        assertThat(rc).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("schema.registry.url", "demo.rate",
                "http.bind.address", "state.dir", "topic.dlq", "PIPELINE_FOO_BAR");
    }

    @Test
    void shouldRedactSecretsInEffectiveConfig() {
        int rc = Main.execute("config", "--effective", "--set", "basic.auth.user.info=bob:hunter2");
        assertThat(rc).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("basic.auth.user.info=[redacted]").doesNotContain("hunter2");
    }
}
