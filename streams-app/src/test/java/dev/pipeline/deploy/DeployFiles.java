package dev.pipeline.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Finds and parses the files under {@code docker/} for the offline deployment checks. */
final class DeployFiles {
    private DeployFiles() {}

    /** {@code docker/} of this checkout, found upwards from the working directory (the module dir under Maven). */
    static Path dockerDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker/compose.yml"))) {
                return p.resolve("docker");
            }
        }
        throw new IllegalStateException("docker/compose.yml not found above " + Path.of("").toAbsolutePath());
    }

    /** YAML as plain maps and lists; SnakeYAML resolves anchors and {@code <<} merge keys as Compose does. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            return (Map<String, Object>) doc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}
