package dev.pipeline.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every level, against the registry's own register(): what Confluent's registry would accept. */
class CompatibilityTest {
    private static final Schema A = SchemaBuilder.record("T").fields().requiredString("a").endRecord();
    // adds a field with a default: old data readable by it (backward), it readable by old (forward)
    private static final Schema A_B_DEFAULT = SchemaBuilder.record("T").fields().requiredString("a")
            .name("b").type().intType().intDefault(0).endRecord();
    // adds a required field: new reader cannot read old data (not backward); old reader ignores it (forward)
    private static final Schema A_B_REQUIRED = SchemaBuilder.record("T").fields().requiredString("a")
            .requiredInt("b").endRecord();
    // drops the field without a default: new reader fine (backward), old reader misses "a" (not forward)
    private static final Schema EMPTY = SchemaBuilder.record("T").fields().endRecord();
    // "a" back with another type and a default: fine against EMPTY, unreadable against A's data
    private static final Schema A_AS_INT = SchemaBuilder.record("T").fields()
            .name("a").type().intType().intDefault(0).endRecord();

    static Stream<Arguments> levels() {
        return Stream.of(
                // level, history (oldest first), candidate, accepted
                Arguments.of(Compatibility.BACKWARD, List.of(A), A_B_DEFAULT, true),
                Arguments.of(Compatibility.BACKWARD, List.of(A), A_B_REQUIRED, false),
                Arguments.of(Compatibility.BACKWARD, List.of(A), EMPTY, true),
                Arguments.of(Compatibility.FORWARD, List.of(A), A_B_REQUIRED, true),
                Arguments.of(Compatibility.FORWARD, List.of(A), EMPTY, false),
                Arguments.of(Compatibility.FULL, List.of(A), A_B_DEFAULT, true),
                Arguments.of(Compatibility.FULL, List.of(A), A_B_REQUIRED, false),
                Arguments.of(Compatibility.FULL, List.of(A), EMPTY, false),
                Arguments.of(Compatibility.NONE, List.of(A), A_B_REQUIRED, true),
                Arguments.of(Compatibility.NONE, List.of(A), EMPTY, true),
                // the transitive forms also look past the latest version
                Arguments.of(Compatibility.BACKWARD, List.of(A, EMPTY), A_AS_INT, true),
                Arguments.of(Compatibility.BACKWARD_TRANSITIVE, List.of(A, EMPTY), A_AS_INT, false),
                Arguments.of(Compatibility.FORWARD, List.of(A_B_REQUIRED, A_B_DEFAULT), A, true),
                Arguments.of(Compatibility.FORWARD_TRANSITIVE, List.of(A_B_REQUIRED, A_B_DEFAULT), A, false),
                Arguments.of(Compatibility.FULL, List.of(A, EMPTY), A_AS_INT, true),
                Arguments.of(Compatibility.FULL_TRANSITIVE, List.of(A, EMPTY), A_AS_INT, false));
    }

    @ParameterizedTest(name = "{0}: {1} then {2} -> {3}")
    @MethodSource("levels")
    void registerFollowsTheSubjectsLevel(Compatibility level, List<Schema> history, Schema candidate, boolean accepted) {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        registry.setLevel(null, Compatibility.NONE); // the history itself need not be compatible
        history.forEach(s -> registry.register("s", s));
        registry.setLevel("s", level);

        assertThat(registry.compatibilityProblems("s", candidate, null).isEmpty()).isEqualTo(accepted);
        if (accepted) {
            assertThat(registry.latest(registry.subjects().get(0)).version()).isEqualTo(history.size());
            registry.register("s", candidate);
            assertThat(registry.latest("s").schema()).isEqualTo(candidate);
        } else {
            assertThatThrownBy(() -> registry.register("s", candidate))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(409))
                    .hasMessageContaining("incompatible");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"backward", "FULL_TRANSITIVE", " none "})
    void levelsParseCaseInsensitively(String text) {
        assertThat(Compatibility.parse(text).name()).isEqualToIgnoringCase(text.trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "BACKWARDS", "full-transitive"})
    void unknownLevelsAre42203(String text) {
        assertThatThrownBy(() -> Compatibility.parse(text))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_COMPATIBILITY));
    }
}
