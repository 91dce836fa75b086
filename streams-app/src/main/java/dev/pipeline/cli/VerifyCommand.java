package dev.pipeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until its issue lands: says so and exits 3. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify outputs against inputs (orders: exactly-once check). (not implemented yet)")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        System.err.println("'verify' is not implemented yet");
        return Main.EXIT_NOT_IMPLEMENTED;
    }
}
