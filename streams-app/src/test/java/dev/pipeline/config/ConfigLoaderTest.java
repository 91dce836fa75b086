package dev.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String content) throws Exception {
        Path f = dir.resolve("app.properties");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void shouldApplyPrecedenceDefaultThenFileThenEnvThenFlags() throws Exception {
        Path f = file("http.port=1001\ndemo.rate=5\nstate.dir=/from-file\n");
        Map<String, String> env = Map.of("PIPELINE_HTTP_PORT", "1002", "PIPELINE_DEMO_RATE", "6");
        Map<String, String> flags = Map.of("http.port", "1003");

        PipelineConfig c = ConfigLoader.load(Optional.of(f), env, flags);

        assertThat(c.getInt(CoreKeys.HTTP_PORT_CONFIG)).isEqualTo(1003);
        assertThat(c.getInt(CoreKeys.DEMO_RATE_CONFIG)).isEqualTo(6);
        assertThat(c.getString(CoreKeys.STATE_DIR_CONFIG)).isEqualTo("/from-file");
        assertThat(c.getString(CoreKeys.HTTP_BIND_ADDRESS_CONFIG)).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldPassKafkaClientSettingsThroughFromEnvFileAndFlags() throws Exception {
        Path f = file("kafka.some.client.plugin.key=x\nsecurity.protocol=SASL_SSL\n");
        Map<String, String> env = Map.of("KAFKA_BOOTSTRAP_SERVERS", "b:9092", "KAFKA_HEAP_OPTS", "-Xmx1g");

        PipelineConfig c = ConfigLoader.load(Optional.of(f), env, Map.of("linger.ms", "7"));

        assertThat(c.kafkaClientProps()).containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("some.client.plugin.key", "x")
                .containsEntry("linger.ms", "7").doesNotContainKey("heap.opts");
        assertThat(c.embeddedBroker()).isFalse();
    }

    @Test
    void shouldRefuseUnknownAppKeyNamingItAndItsSource() throws Exception {
        Path f = file("http.prot=8080\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(f), Map.of(), Map.of()))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("'http.prot'").hasMessageContaining(f.toString());
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PIPELINE_NO_SUCH_KEY", "1"), Map.of()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("'no.such.key'")
                .hasMessageContaining("PIPELINE_NO_SUCH_KEY");
    }

    @Test
    void shouldRefuseInvalidValueNamingKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PIPELINE_HTTP_PORT", "70000"), Map.of()))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("'70000'").hasMessageContaining("'http.port'")
                .hasMessageContaining("env PIPELINE_HTTP_PORT").hasMessageContaining("Allowed: [0,...,65535]");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("demo.rate", "fast")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("'fast'").hasMessageContaining("'demo.rate'").hasMessageContaining("Allowed:");
    }

    @Test
    void shouldRedactSecretsWhereverConfigIsPrinted() {
        PipelineConfig c = PipelineConfig.defaults().with(Map.of(
                "basic.auth.user.info", "alice:s3cret",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"p\";",
                "ssl.keystore.password", "pw", "ssl.key.password", "pw2", "linger.ms", "5"));

        String printed = c.toString() + c.redacted();

        assertThat(printed).doesNotContain("s3cret").doesNotContain("password=\"p\"").doesNotContain("pw2")
                .contains("linger.ms=5");
        assertThat(c.redacted().get("app")).containsEntry("basic.auth.user.info", Secrets.REDACTED);
        assertThat(c.redacted().get("kafka")).containsEntry("sasl.jaas.config", Secrets.REDACTED)
                .containsEntry("ssl.keystore.password", Secrets.REDACTED);
        assertThat(c.getString(CoreKeys.BASIC_AUTH_USER_INFO_CONFIG)).isEqualTo("alice:s3cret");
    }

    @Test
    void shouldNotEchoSecretValuesInErrors() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(), Map.of("http.port", "x")))
                .hasMessageContaining("'x'");
        assertThat(Secrets.isSecret("ssl.truststore.password")).isTrue();
        assertThat(Secrets.isSecret("ssl.keystore.key")).isTrue();
        assertThat(Secrets.isSecret("http.port")).isFalse();
    }
}
