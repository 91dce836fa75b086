package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipeline.app.HttpServerHost;
import dev.pipeline.config.ConfigLoader;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.Secrets;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secure defaults without a broker: the HTTP server is reachable only on loopback unless
 * http.bind.address says otherwise; Kafka security settings reach the clients byte for byte and
 * never appear where configuration is printed. (SecureDefaultsIT checks the same on the running jar.)
 */
class SecureDefaultsTest {
    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"pipeline\" password=\"jaas-s3cr3t\";";
    static final Map<String, String> SECURITY_ENV = securityEnv();
    /** Values that must never be printed or served. */
    static final List<String> SECRETS = List.of("jaas-s3cr3t", "keystore-s3cr3t", "key-s3cr3t", "truststore-s3cr3t",
            "registry-s3cr3t", "oauth-s3cr3t");

    @TempDir
    Path tmp;

    private static Map<String, String> securityEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put("KAFKA_SASL_JAAS_CONFIG", JAAS);
        env.put("KAFKA_SSL_KEYSTORE_LOCATION", "/etc/pipeline/keystore.p12");
        env.put("KAFKA_SSL_KEYSTORE_PASSWORD", "keystore-s3cr3t");
        env.put("KAFKA_SSL_KEY_PASSWORD", "key-s3cr3t");
        env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "truststore-s3cr3t");
        env.put("PIPELINE_BASIC_AUTH_USER_INFO", "pipeline:registry-s3cr3t");
        return Collections.unmodifiableMap(env);
    }

    @Test
    void shouldBindTheHttpServerToLoopbackByDefault() throws IOException {
        String bind = PipelineConfig.defaults().getString(CoreKeys.HTTP_BIND_ADDRESS_CONFIG);
        assertThat(bind).isEqualTo("127.0.0.1");
        try (HttpServerHost http = HttpServerHost.start(bind, 0)) {
            assertThat(http.bindAddress()).isEqualTo("127.0.0.1");
            assertThat(connects(InetAddress.getLoopbackAddress(), http.port())).isTrue();
            for (InetAddress external : nonLoopbackAddresses()) {
                assertThat(connects(external, http.port())).as("reachable on %s", external).isFalse();
            }
        }
    }

    @Test
    void shouldBindAllInterfacesOnlyWhenConfigured() throws IOException {
        PipelineConfig config = PipelineConfig.defaults().with(Map.of(CoreKeys.HTTP_BIND_ADDRESS_CONFIG, "0.0.0.0"));
        try (HttpServerHost http = HttpServerHost.start(config.getString(CoreKeys.HTTP_BIND_ADDRESS_CONFIG), 0)) {
            assertThat(InetAddress.getByName(http.bindAddress()).isAnyLocalAddress()).as("bound to %s", http.bindAddress()).isTrue();
            for (InetAddress external : nonLoopbackAddresses()) {
                assertThat(connects(external, http.port())).as("reachable on %s", external).isTrue();
            }
        }
    }

    @Test
    void shouldPassKafkaSecuritySettingsToTheClientsUntouched() throws IOException {
        PipelineConfig fromEnv = ConfigLoader.load(Optional.empty(), SECURITY_ENV, Map.of());
        assertThat(fromEnv.kafkaClientProps()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.keystore.location", "/etc/pipeline/keystore.p12")
                .containsEntry("ssl.keystore.password", "keystore-s3cr3t").containsEntry("ssl.key.password", "key-s3cr3t")
                .containsEntry("ssl.truststore.password", "truststore-s3cr3t");
        assertThat(fromEnv.getString(CoreKeys.BASIC_AUTH_USER_INFO_CONFIG)).isEqualTo("pipeline:registry-s3cr3t");

        // the same from a properties file, including a key the config only knows by its kafka. prefix
        Path file = tmp.resolve("client.properties");
        Files.writeString(file, "sasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n"
                + "kafka.sasl.oauthbearer.assertion.private.key.passphrase=oauth-s3cr3t\n");
        PipelineConfig fromFile = ConfigLoader.load(Optional.of(file), Map.of(), Map.of());
        assertThat(fromFile.kafkaClientProps()).containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("sasl.oauthbearer.assertion.private.key.passphrase", "oauth-s3cr3t");
    }

    @Test
    void shouldRedactSecretsWhereverConfigurationIsPrinted() throws IOException {
        Path file = tmp.resolve("client.properties");
        Files.writeString(file, "kafka.sasl.oauthbearer.assertion.private.key.passphrase=oauth-s3cr3t\n");
        PipelineConfig config = ConfigLoader.load(Optional.of(file), SECURITY_ENV, Map.of());
        Map<String, Map<String, String>> shown = config.redacted();

        assertThat(shown.get("kafka")).containsEntry("sasl.jaas.config", Secrets.REDACTED)
                .containsEntry("ssl.keystore.password", Secrets.REDACTED).containsEntry("ssl.key.password", Secrets.REDACTED)
                .containsEntry("ssl.truststore.password", Secrets.REDACTED)
                .containsEntry("sasl.oauthbearer.assertion.private.key.passphrase", Secrets.REDACTED)
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(shown.get("app")).containsEntry(CoreKeys.BASIC_AUTH_USER_INFO_CONFIG, Secrets.REDACTED);
        for (String printed : List.of(shown.toString(), config.toString())) {
            SECRETS.forEach(s -> assertThat(printed).doesNotContain(s));
        }
    }

    @Test
    void shouldTreatEveryKafkaPasswordKeyAsSecretWithOrWithoutAClientPrefix() {
        Set<String> passwords = new TreeSet<>();
        for (ConfigDef def : new ConfigDef[] {ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef(), StreamsConfig.configDef()}) {
            def.configKeys().values().stream().filter(k -> k.type == ConfigDef.Type.PASSWORD).forEach(k -> passwords.add(k.name));
        }
        assertThat(passwords).contains("sasl.jaas.config", "ssl.keystore.password");
        for (String key : passwords) {
            for (String prefix : List.of("", StreamsConfig.PRODUCER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
                    StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX)) {
                assertThat(Secrets.isSecret(prefix + key)).as("%s%s is redacted", prefix, key).isTrue();
            }
        }
        assertThat(Secrets.isSecret("security.protocol")).isFalse();
        assertThat(Secrets.isSecret("bootstrap.servers")).isFalse();
    }

    @Test
    void shouldNotEchoASecretInAConfigError() {
        Map<String, String> env = Map.of("PIPELINE_BASIC_AUTH_USER_INFO", "pipeline:registry-s3cr3t",
                "PIPELINE_HTTP_PORT", "not-a-port");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), env, Map.of()))
                .hasMessageContaining("http.port").hasMessageNotContaining("registry-s3cr3t");
    }

    static List<InetAddress> nonLoopbackAddresses() throws IOException {
        return NetworkInterface.networkInterfaces().filter(SecureDefaultsTest::up)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).toList();
    }

    private static boolean up(NetworkInterface n) {
        try {
            return n.isUp();
        } catch (IOException e) {
            return false;
        }
    }

    static boolean connects(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
