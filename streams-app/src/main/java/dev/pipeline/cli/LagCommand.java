package dev.pipeline.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Placeholder until its issue lands: says so and exits 3. */
@Command(name = "lag", mixinStandardHelpOptions = true, description = "Per-partition consumer lag (offsets and seconds) and status of the pipeline's consumer groups. (not implemented yet)")
public final class LagCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        System.err.println("'lag' is not implemented yet");
        return Main.EXIT_NOT_IMPLEMENTED;
    }
}
