package dev.pipeline.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientsTest {

    @Test
    void mockUrlsShareOneInMemoryRegistryPerScope() {
        String scope = "clients-test-" + System.nanoTime();
        try {
            SchemaRegistryClient a = SchemaRegistryClients.create(Map.of("schema.registry.url", "mock://" + scope));
            SchemaRegistryClient b = SchemaRegistryClients.create(Map.of("schema.registry.url", "mock://" + scope));
            SchemaRegistryClient other = SchemaRegistryClients.create(Map.of("schema.registry.url", "mock://x" + scope));

            int id = a.register("s", InMemorySchemaRegistryClientTest.V1);

            assertThat(b.getById(id)).isEqualTo(InMemorySchemaRegistryClientTest.V1);
            assertThat(other.subjects()).isEmpty();
        } finally {
            SchemaRegistryClients.dropMock(scope);
            SchemaRegistryClients.dropMock("x" + scope);
        }
    }

    @Test
    void httpUrlGivesHttpClient() {
        Map<String, Object> configs = Map.of("schema.registry.url", "http://localhost:8080/registry",
                "basic.auth.user.info", "u:p", "http.read.timeout.ms", 2000);

        assertThat(SchemaRegistryClients.create(configs)).isInstanceOf(HttpSchemaRegistryClient.class);
    }

    @Test
    void refusesMissingUrlAndMalformedValuesNamingTheKey() {
        assertThatThrownBy(() -> SchemaRegistryClients.create(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> SchemaRegistryClients.create(Map.of("schema.registry.url", "http://h",
                "basic.auth.user.info", "s3cret-without-colon")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.user.info")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> SchemaRegistryClients.create(Map.of("schema.registry.url", "http://h",
                "http.read.timeout.ms", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.read.timeout.ms");
    }

    @Test
    void useLatestVersionDefaultsToFalseAndIsValidated() {
        assertThat(SchemaRegistryClients.useLatestVersion(Map.of())).isFalse();
        assertThat(SchemaRegistryClients.useLatestVersion(Map.of("use.latest.version", "TRUE"))).isTrue();
        assertThatThrownBy(() -> SchemaRegistryClients.useLatestVersion(Map.of("use.latest.version", "yes")))
                .hasMessageContaining("use.latest.version");
    }

    @Test
    void autoRegisterDefaultsToTrueAndAcceptsStringsOrBooleans() {
        assertThat(SchemaRegistryClients.autoRegister(Map.of())).isTrue();
        assertThat(SchemaRegistryClients.autoRegister(Map.of("auto.register.schemas", "FALSE"))).isFalse();
        assertThat(SchemaRegistryClients.autoRegister(Map.of("auto.register.schemas", false))).isFalse();
        assertThatThrownBy(() -> SchemaRegistryClients.autoRegister(Map.of("auto.register.schemas", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("auto.register.schemas");
    }
}
