package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Client commands without --bootstrap-servers look where {@code run} puts the embedded broker, and say so. */
class CommonOptionsTest {
    private static CommonOptions parse(String... args) {
        CommonOptions options = new CommonOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void shouldTryTheLocalBrokerAndSaySoWhenNoBootstrapServersAreGiven() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(parse().loadOrLocalBroker("lag").bootstrapServers()).contains("localhost:9092");
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("'lag' tries localhost:9092");
    }

    @Test
    void shouldUseTheGivenBootstrapServersSilently() {
        assertThat(parse("--bootstrap-servers", "b1:9092").loadOrLocalBroker("produce").bootstrapServers())
                .contains("b1:9092");
    }
}
