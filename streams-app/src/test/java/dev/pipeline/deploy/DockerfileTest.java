package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker/Dockerfile read as text (no engine here): build stage, slim non-root runtime, health, memory, knobs. */
class DockerfileTest {
    private static List<String> instructions;

    @BeforeAll
    static void read() throws IOException {
        instructions = instructions(Files.readAllLines(DeployFiles.dockerDir().resolve("Dockerfile")));
    }

    /** One entry per instruction: comments dropped, backslash continuations joined. */
    static List<String> instructions(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                out.add(current.toString().strip().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String> named(String instruction) {
        return instructions.stream().filter(i -> i.startsWith(instruction + " ")).toList();
    }

    /** Instructions of the last stage (the image that ships). */
    private static List<String> runtimeStage() {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    @Test
    void shouldBuildTheJarInAMavenStageAndRunItOnAJre17() {
        List<String> from = named("FROM");
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).startsWith("FROM maven:3.9-eclipse-temurin-17 AS build");
        assertThat(from.get(1)).startsWith("FROM eclipse-temurin:17-jre");
        assertThat(named("RUN")).anySatisfy(r -> assertThat(r).contains("mvn -q").contains("-DskipTests package"));
        assertThat(runtimeStage()).anySatisfy(i -> assertThat(i)
                .isEqualTo("COPY --from=build /src/streams-app/target/streams-app.jar /opt/pipeline/streams-app.jar"));
    }

    @Test
    void shouldRunAsANonRootUser() {
        List<String> users = runtimeStage().stream().filter(i -> i.startsWith("USER ")).toList();
        assertThat(users).as("the runtime stage sets USER").isNotEmpty();
        String user = users.get(users.size() - 1).substring("USER ".length()).trim();
        assertThat(user.split(":")[0]).as("container user").isNotIn("root", "0");
        assertThat(runtimeStage()).anySatisfy(i -> assertThat(i).contains("useradd").contains("--uid " + user.split(":")[0]));
    }

    @Test
    void shouldCheckHealthOnReadinessWithoutStartingAJvm() {
        List<String> hc = named("HEALTHCHECK");
        assertThat(hc).hasSize(1);
        assertThat(hc.get(0)).contains("CMD curl -fsS").contains("/health/ready").doesNotContain("java ");
    }

    @Test
    void shouldSizeTheHeapFromTheContainerLimitAndExecJavaAsPid1() {
        List<String> entry = named("ENTRYPOINT");
        assertThat(entry).hasSize(1);
        assertThat(entry.get(0)).startsWith("ENTRYPOINT [\"java\",").contains("-XX:MaxRAMPercentage=")
                .contains("\"-jar\", \"/opt/pipeline/streams-app.jar\"").doesNotContain("-Xmx");
        assertThat(named("CMD")).containsExactly("CMD [\"run\"]");
    }

    @Test
    void shouldExposeTheConfigKnobsAndKeepStateOnAVolume() {
        String env = String.join(" ", named("ENV"));
        assertThat(env).contains("PIPELINE_HTTP_BIND_ADDRESS=0.0.0.0").contains("PIPELINE_STATE_DIR=/var/lib/pipeline")
                .contains("PIPELINE_HTTP_PORT=8080");
        assertThat(named("VOLUME")).containsExactly("VOLUME [\"/var/lib/pipeline\"]");
        assertThat(runtimeStage()).anySatisfy(i -> assertThat(i).contains("chown pipeline:pipeline /var/lib/pipeline"));
        assertThat(named("EXPOSE")).containsExactly("EXPOSE 8080");
    }
}
