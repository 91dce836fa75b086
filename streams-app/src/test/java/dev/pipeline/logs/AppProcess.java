package dev.pipeline.logs;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar streams-app.jar run --only logs} in a child JVM with a bounded heap, its state
 * and output under the test's directory. {@link #close()} kills it whatever happened.
 */
final class AppProcess implements AutoCloseable {
    private static final Pattern HTTP_LINE = Pattern.compile("HTTP: http://([0-9.]+):(\\d+)/");
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int port = -1;

    private AppProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts the app against {@code bootstrap}; {@code settings} become {@code --set k=v}. */
    static AppProcess start(Path dir, String name, String bootstrap, String registryUrl, Map<String, ?> settings) {
        String jar = System.getProperty("app.jar", "target/streams-app.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar, "run", "--bootstrap-servers", bootstrap, "--only", "logs",
                "--http-port", "0", "--state-dir", dir.resolve("state").toString()));
        settings.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        // the child's output outlives the test's temp dir, for a look after a failure
        Path logs = Path.of("target", "app-logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PIPELINE_DEMO_RATE", "0");
        pb.environment().put("PIPELINE_SCHEMA_REGISTRY_URL", registryUrl);
        try {
            return new AppProcess(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code /health/ready} (every pipeline RUNNING). */
    AppProcess awaitReady(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("app exited with " + process.exitValue() + ": " + tail(stderr));
            }
            return port() > 0 && get("/health/ready").statusCode() == 200;
        });
        return this;
    }

    int port() throws IOException {
        if (port < 0) {
            Matcher m = HTTP_LINE.matcher(Files.readString(stdout));
            if (m.find()) {
                port = Integer.parseInt(m.group(2));
            }
        }
        return port;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM: the app drains (flushes its buffers, commits) and exits; returns the exit code. */
    int stop(Duration atMost) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("app did not drain within " + atMost + ": " + tail(stderr));
        }
        return process.exitValue();
    }

    /** SIGKILL: no drain, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String stderrTail() {
        return tail(stderr);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path file) {
        try {
            String s = Files.readString(file);
            return s.substring(Math.max(0, s.length() - 4_000));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
