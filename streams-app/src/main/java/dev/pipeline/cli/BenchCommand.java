package dev.pipeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until its issue lands: says so and exits 3. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run the benchmark suite and print a table. (not implemented yet)")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        System.err.println("'bench' is not implemented yet");
        return Main.EXIT_NOT_IMPLEMENTED;
    }
}
