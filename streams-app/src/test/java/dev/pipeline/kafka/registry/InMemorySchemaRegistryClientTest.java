package dev.pipeline.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.OrderEvent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryClientTest {
    static final Schema V1 = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").endRecord();
    static final Schema V2 = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").optionalString("colour").endRecord();
    static final Schema NO_DEFAULT = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("name").requiredInt("size").endRecord();

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    @Test
    void sameSchemaSameIdEvenWrittenDifferently() {
        int id = registry.register("s", V1);
        Schema reformatted = new Schema.Parser().parse(V1.toString(true).replace("\n", "\n\n  "));

        assertThat(registry.register("s", reformatted)).isEqualTo(id).isEqualTo(1);
        assertThat(registry.versions("s")).hasSize(1);
    }

    @Test
    void idsAreGlobalAndSharedAcrossSubjects() {
        int a = registry.register("a", V1);
        int b = registry.register("b", V1);
        int other = registry.register("c", LogEvent.getClassSchema());

        assertThat(b).isEqualTo(a);
        assertThat(other).isEqualTo(a + 1);
        assertThat(registry.latest("b")).isEqualTo(new SchemaVersion("b", 1, a, V1));
        assertThat(registry.subjects()).containsExactly("a", "b", "c");
    }

    @Test
    void compatibleEvolutionBecomesTheNextVersion() {
        registry.register("s", V1);
        int id2 = registry.register("s", V2);

        assertThat(registry.latest("s")).isEqualTo(new SchemaVersion("s", 2, id2, V2));
        assertThat(registry.version("s", 1).schema()).isEqualTo(V1);
        assertThat(registry.getById(id2)).isEqualTo(V2);
    }

    @Test
    void incompatibleVersionIsRefusedAndNothingChanges() {
        registry.register("s", V1);

        assertThat(registry.isCompatible("s", V2)).isTrue();
        assertThat(registry.isCompatible("s", NO_DEFAULT)).isFalse();
        assertThatThrownBy(() -> registry.register("s", NO_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                })
                .hasMessageContaining("incompatible with an earlier schema for subject 's'");
        assertThat(registry.versions("s")).hasSize(1);
    }

    @Test
    void unknownThingsAreNotFound() {
        assertThatThrownBy(() -> registry.getById(7))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThatThrownBy(() -> registry.latest("nope"))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        registry.register("s", V1);
        assertThatThrownBy(() -> registry.version("s", 2))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));
    }

    @Test
    void reopeningOverTheSameStoreKeepsIdsAndContinuesNumbering() {
        SchemaStore store = SchemaStore.inMemory();
        InMemorySchemaRegistryClient first = new InMemorySchemaRegistryClient(store);
        int v1 = first.register("s", V1);
        int v2 = first.register("s", V2);
        int orders = first.register("orders-value", OrderEvent.getClassSchema());

        InMemorySchemaRegistryClient reopened = new InMemorySchemaRegistryClient(store);

        assertThat(reopened.register("s", V1)).isEqualTo(v1);
        assertThat(reopened.latest("s")).isEqualTo(new SchemaVersion("s", 2, v2, V2));
        assertThat(reopened.getById(orders)).isEqualTo(OrderEvent.getClassSchema());
        assertThat(reopened.register("logs-raw-value", LogEvent.getClassSchema())).isEqualTo(orders + 1);
        assertThat(store.readAll()).hasSize(4);
    }

    @Test
    void aHardDeletedHighestIdIsNotHandedOutAgainAfterARestart() {
        SchemaStore store = SchemaStore.inMemory();
        InMemorySchemaRegistryClient first = new InMemorySchemaRegistryClient(store);
        first.register("a", V1);
        int deleted = first.register("b", V2);
        first.deleteSubject("b", false);
        first.deleteSubject("b", true);

        InMemorySchemaRegistryClient reopened = new InMemorySchemaRegistryClient(store);

        assertThat(reopened.register("c", NO_DEFAULT)).isEqualTo(deleted + 1);
    }

    @Test
    void storeFailureRegistersNothingAndUsesNoId() {
        AtomicBoolean failing = new AtomicBoolean(true);
        SchemaStore delegate = SchemaStore.inMemory();
        SchemaStore flaky = new SchemaStore() {
            @Override
            public List<StoreRecord> readAll() {
                return delegate.readAll();
            }

            @Override
            public void put(StoreRecord record) {
                if (failing.get()) {
                    throw new IllegalStateException("broker down");
                }
                delegate.put(record);
            }

            @Override
            public void remove(StoreRecord record) {
                delegate.remove(record);
            }
        };
        InMemorySchemaRegistryClient client = new InMemorySchemaRegistryClient(flaky);

        assertThatThrownBy(() -> client.register("s", V1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(500);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.STORE_ERROR);
                })
                .hasMessageContaining("broker down");
        assertThat(client.subjects()).isEmpty();

        failing.set(false);
        assertThat(client.register("s", V1)).isEqualTo(1);
    }

    @Test
    void concurrentRegistrationsOfOneSchemaAgreeOnOneId() {
        Set<Integer> ids = IntStream.range(0, 200).parallel()
                .mapToObj(i -> registry.register("s" + (i % 5), V1))
                .collect(Collectors.toSet());

        assertThat(ids).containsExactly(1);
        assertThat(registry.subjects()).hasSize(5);
    }
}
