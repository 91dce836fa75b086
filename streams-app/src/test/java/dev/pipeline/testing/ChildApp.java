package dev.pipeline.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built app jar in a child JVM, as an operator runs it: bounded heap, its own environment
 * (inherited {@code PIPELINE_*}/{@code KAFKA_*} variables removed so only the test's settings
 * apply), stdout and stderr in files under {@code target/child-apps/}. Finds the HTTP port the app
 * printed, waits for {@code /health/ready}, and stops it with SIGTERM ({@link #sigterm()}, a drain)
 * or SIGKILL ({@link #kill9()}, a crash). {@link #close()} always kills what is still running, so
 * use it in try-with-resources or an {@code @AfterEach}.
 */
public final class ChildApp implements AutoCloseable {
    public static final String DEFAULT_HEAP = "384m";
    private static final Pattern HTTP_LINE = Pattern.compile("HTTP: http://[^:/\\s]+:(\\d+)/");
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private volatile int httpPort = -1;

    private ChildApp(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The packaged jar (system property {@code app.jar}, set by Failsafe). */
    public static Path jar() {
        String jar = System.getProperty("app.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("app jar not found (system property app.jar=" + jar
                    + "); run integration tests with 'mvn verify' so the jar is packaged first");
        }
        return Path.of(jar);
    }

    /** Where child output goes: {@code target/child-apps} next to the jar. */
    public static Path outputDir() {
        Path dir = jar().toAbsolutePath().getParent().resolve("child-apps");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Options of one child JVM; {@link #start()} launches it. */
    public static final class Builder {
        private final String name;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private String heap = DEFAULT_HEAP;
        private Path log;

        private Builder(String name) {
            this.name = name;
        }

        public Builder heap(String value) {
            heap = value;
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(arg);
            return this;
        }

        /**
         * Both streams appended to this one file instead of fresh files under {@code child-apps}:
         * for a test that runs several children in turn and reads their output as one log.
         */
        public Builder log(Path file) {
            log = file;
            return this;
        }

        /** Arguments after {@code -jar app.jar}, e.g. {@code run --only logs --http-port 0}. */
        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        public ChildApp start() {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx" + heap);
            // two cores shared by many JVMs: a small serial heap and quick start-up matter more than peak speed
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-XX:TieredStopAtLevel=1");
            cmd.addAll(jvmArgs);
            cmd.add("-jar");
            cmd.add(jar().toString());
            cmd.addAll(args);
            String base = name + "-" + SEQ.incrementAndGet();
            Path out = log != null ? log : outputDir().resolve(base + ".out");
            Path err = log != null ? log : outputDir().resolve(base + ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (log != null) {
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.to(out.toFile())).redirectError(ProcessBuilder.Redirect.to(err.toFile()));
            }
            pb.environment().keySet().removeIf(k -> k.startsWith("PIPELINE_") || k.startsWith("KAFKA_"));
            pb.environment().putAll(env);
            try {
                return new ChildApp(base, pb.start(), out, err);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + cmd, e);
            }
        }
    }

    /** Runs a command to completion (bounded) and returns its exit code; output stays in the files. */
    public static int run(Builder builder, Duration timeout) throws InterruptedException {
        try (ChildApp c = builder.start()) {
            return c.awaitExit(timeout);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The HTTP port from the app's start banner, waiting up to {@code timeout} for it. */
    public int awaitHttpPort(Duration timeout) {
        await(name + " printed its HTTP port").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    failIfExited();
                    return httpPortFromOutput().isPresent();
                });
        httpPort = httpPortFromOutput().getAsInt();
        return httpPort;
    }

    public int httpPort() {
        if (httpPort < 0) {
            throw new IllegalStateException(name + ": HTTP port not known yet; call awaitHttpPort first");
        }
        return httpPort;
    }

    private OptionalInt httpPortFromOutput() {
        Matcher m = HTTP_LINE.matcher(stdout());
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** Waits for the start banner and then for {@code /health/ready} to answer 200 (every pipeline RUNNING). */
    public ChildApp awaitReady(Duration timeout) {
        long t0 = System.nanoTime();
        awaitHttpPort(timeout);
        Duration left = timeout.minusNanos(System.nanoTime() - t0);
        await(name + " ready").atMost(left.isNegative() ? Duration.ofSeconds(1) : left)
                .pollInterval(Duration.ofMillis(200)).ignoreExceptionsMatching(e -> e instanceof IOException)
                .until(() -> {
                    failIfExited();
                    return get("/health/ready").statusCode() == 200;
                });
        return this;
    }

    /** GET on the child's HTTP server (127.0.0.1 unless the test bound it elsewhere). */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + httpPort() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM on Linux: asks for a graceful drain. Returns at once; see {@link #awaitExit}. */
    public void sigterm() {
        process.destroy();
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. Waits until the process is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for 30 s");
        }
    }

    /** Waits for the process to exit and returns its exit code; kills it and fails if it overruns. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill9();
            throw new AssertionError(name + " did not exit within " + timeout + "; killed. Output:\n" + logTail());
        }
        return process.exitValue();
    }

    /** SIGTERM and wait; returns the exit code (for callers that only need it stopped). */
    public int stop(Duration timeout) throws InterruptedException {
        sigterm();
        return awaitExit(timeout);
    }

    public Path stdoutFile() {
        return stdout;
    }

    public Path stderrFile() {
        return stderr;
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** The last lines of both streams, for assertion messages. */
    public String logTail() {
        if (stdout.equals(stderr)) {
            return "--- " + stdout + " ---\n" + tail(stdout(), 40);
        }
        return "--- " + stdout + " ---\n" + tail(stdout(), 20) + "\n--- " + stderr + " ---\n" + tail(stderr(), 40);
    }

    private void failIfExited() {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with code " + process.exitValue() + " before it was ready:\n" + logTail());
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
