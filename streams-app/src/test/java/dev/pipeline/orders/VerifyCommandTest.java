package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VerifyCommandTest {
    @Test
    void shouldRefuseToVerifyWithoutBootstrapServersWithExitCode2() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.execute("verify", "orders");
        } finally {
            System.setErr(err);
        }
        assertThat(exit).isEqualTo(Main.EXIT_BAD_CONFIG);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("--bootstrap-servers");
    }

    @Test
    void shouldAskForTheSubcommand() {
        assertThat(Main.execute("verify")).isEqualTo(Main.EXIT_BAD_CONFIG);
    }

    @Test
    void shouldDescribeOrdersVerificationInHelp() {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.execute("verify", "orders", "--help")).isZero();
        } finally {
            System.setOut(out);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("read_committed", "--bootstrap-servers");
    }
}
