package dev.pipeline.orders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built app jar in a child JVM with a bounded heap, its own env (inherited PIPELINE_/KAFKA_
 * variables removed so only the test's settings apply) and its output in a log file.
 */
final class ChildApp implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildApp(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Path jar() {
        String jar = System.getProperty("app.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("app jar not found (system property app.jar=" + jar
                    + "); run integration tests with 'mvn verify' so the jar is packaged first");
        }
        return Path.of(jar);
    }

    static ChildApp start(String heap, Map<String, String> env, Path log, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("PIPELINE_") || k.startsWith("KAFKA_"));
        pb.environment().putAll(env);
        try {
            return new ChildApp(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Runs to completion (bounded) and returns the exit code; output is in the log. */
    static int run(String heap, Map<String, String> env, Path log, long timeoutSeconds, String... args)
            throws InterruptedException {
        try (ChildApp c = start(heap, env, log, args)) {
            if (!c.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("child did not finish within " + timeoutSeconds + " s: " + c.logTail());
            }
            return c.process.exitValue();
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then SIGKILL if it has not drained within the bound. Returns the exit code (-1 if killed). */
    int stop() throws InterruptedException {
        process.destroy();
        if (process.waitFor(45, TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        kill9();
        return -1;
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
