package dev.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layering, as a test so it stays true after the people who designed it move on
 * (STYLE.md 16): every {@code import dev.pipeline...} line of the main sources must be an arrow
 * this table allows. Layers from the bottom: config; kafka (and its registry and serde); observe;
 * policy; app (the pipeline runtime); logs, orders, load; bench, cli. Two leaves any package may use:
 * the generated Avro records ({@code schema}) and the one JSON mapper ({@code json}), which imports
 * nothing of the app so the registry at the bottom can share it.
 */
class PackageRulesTest {
    private static final Path MAIN = Path.of("src/main/java/dev/pipeline");
    /** Generated Avro records: plain data, a leaf every package may use. */
    private static final String SCHEMA = "schema";
    /** The one Jackson mapper: a leaf every package may use; its own imports are checked (none). */
    private static final String JSON = "json";
    /** Every main package except cli; what the top layers may use. */
    private static final Set<String> BELOW_CLI = Set.of("app", "bench", "config", "kafka", "kafka.registry",
            "kafka.serde", "load", "logs", "observe", "orders", "policy");

    /** Package → the packages it may import. A package missing here fails the test. */
    static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("json", Set.of()),
            Map.entry("config", Set.of()),
            Map.entry("kafka.registry", Set.of()),
            Map.entry("kafka.serde", Set.of("config", "kafka.registry")),
            Map.entry("kafka", Set.of("config", "kafka.registry", "kafka.serde")),
            Map.entry("observe", Set.of("config", "kafka")),
            Map.entry("policy", Set.of("config", "observe")),
            Map.entry("app", Set.of("config", "kafka", "kafka.serde", "observe", "policy")),
            Map.entry("logs", Set.of("app", "config", "kafka", "kafka.serde", "observe", "policy")),
            Map.entry("orders", Set.of("app", "config", "kafka", "kafka.serde", "observe", "policy")),
            Map.entry("load", Set.of("config", "kafka", "kafka.registry", "kafka.serde", "policy")),
            Map.entry("bench", without(BELOW_CLI, "bench")),
            Map.entry("cli", BELOW_CLI));

    /**
     * Arrows allowed only to some classes of the target: policy uses observe's metric names and
     * the meters over them, never the lag monitor or the HTTP side.
     */
    static final Map<String, Map<String, Set<String>>> ONLY_CLASSES = Map.of(
            "policy", Map.of("observe", Set.of("MetricNames", "PipelineMetrics")));

    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+(?:static\\s+)?dev\\.pipeline\\.((?:[a-z][a-z0-9]*\\.)*?[a-z][a-z0-9]*)\\.([A-Z]\\w*)");

    @Test
    void shouldOnlyImportAlongAllowedArrows() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                violations.addAll(check(file));
            }
        }
        assertThat(violations).as("forbidden imports (rules in PackageRulesTest.ALLOWED)").isEmpty();
    }

    @Test
    void shouldKeepTheRulesFreeOfCycles() {
        for (String start : ALLOWED.keySet()) {
            assertThat(reachable(start)).as("packages reachable from " + start).doesNotContain(start);
        }
    }

    private static List<String> check(Path file) throws IOException {
        String pkg = MAIN.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), ".");
        List<String> out = new ArrayList<>();
        Set<String> allowed = ALLOWED.get(pkg);
        if (allowed == null) {
            out.add(file + ": package " + pkg + " has no rule in PackageRulesTest.ALLOWED");
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            Matcher m = IMPORT.matcher(line.trim());
            if (!m.find()) {
                continue;
            }
            String target = m.group(1);
            String type = m.group(2);
            if (target.equals(pkg) || target.equals(SCHEMA) || target.equals(JSON)) {
                continue;
            }
            Set<String> onlyClasses = ONLY_CLASSES.getOrDefault(pkg, Map.of()).get(target);
            if (!allowed.contains(target)) {
                out.add(file + ": " + pkg + " -> " + target + " (" + type + ")");
            } else if (onlyClasses != null && !onlyClasses.contains(type)) {
                out.add(file + ": " + pkg + " -> " + target + "." + type + " (only " + onlyClasses + ")");
            }
        }
        return out;
    }

    private static Set<String> reachable(String from) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(ALLOWED.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String next = todo.remove(todo.size() - 1);
            if (seen.add(next)) {
                todo.addAll(ALLOWED.getOrDefault(next, Set.of()));
            }
        }
        return seen;
    }

    private static Set<String> without(Set<String> all, String one) {
        Set<String> s = new HashSet<>(all);
        s.remove(one);
        return Set.copyOf(s);
    }
}
