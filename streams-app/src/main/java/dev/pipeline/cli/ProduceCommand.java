package dev.pipeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until its issue lands: says so and exits 3. */
@Command(name = "produce", mixinStandardHelpOptions = true, description = "Load generator: produce LogEvents or OrderEvents at a rate, with duplicates and malformed records. (not implemented yet)")
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        System.err.println("'produce' is not implemented yet");
        return Main.EXIT_NOT_IMPLEMENTED;
    }
}
