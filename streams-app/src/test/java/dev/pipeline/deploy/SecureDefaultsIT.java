package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pipeline.config.Secrets;
import dev.pipeline.testing.ChildApp;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.TestBroker;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running jar with secrets in its environment: /api/config serves them redacted, nothing the
 * process prints contains them (Kafka's own config dumps included: the test turns its loggers up
 * to INFO), and the HTTP server answers on loopback only.
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class SecureDefaultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void shouldServeRedactedConfigOnLoopbackOnlyAndNeverPrintSecrets(TestBroker broker) throws Exception {
        // the cluster here is PLAINTEXT, so the SASL/SSL settings are carried but unused: the
        // clients only read them for SASL_*/SSL protocols
        Map<String, String> env = new LinkedHashMap<>(SecureDefaultsTest.SECURITY_ENV);
        env.put("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT");
        Path logback = tmp.resolve("logback-verbose.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="STDERR"/></root>
                </configuration>
                """);
        try (AppCluster cluster = new AppCluster(broker);
                ChildApp app = ChildApp.builder("secure").env(cluster.env()).env(env)
                        .jvmArg("-Dlogback.configurationFile=" + logback)
                        // --verbose: Kafka's config dumps on the console, where this test looks for secrets
                        .args("run", "--verbose", "--only", "logs", "--bootstrap-servers", cluster.bootstrap(),
                                "--http-port", "0", "--state-dir", tmp.resolve("state").toString())
                        .start()) {
            app.awaitReady(AppCluster.READY_TIMEOUT);

            assertThat(app.stdout()).contains("HTTP: http://127.0.0.1:" + app.httpPort() + "/");
            for (InetAddress external : SecureDefaultsTest.nonLoopbackAddresses()) {
                assertThat(SecureDefaultsTest.connects(external, app.httpPort())).as("reachable on %s", external).isFalse();
            }

            HttpResponse<String> response = app.get("/api/config");
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode config = JSON.readTree(response.body());
            assertThat(config.at("/kafka/sasl.jaas.config").asText()).isEqualTo(Secrets.REDACTED);
            assertThat(config.at("/kafka/ssl.keystore.password").asText()).isEqualTo(Secrets.REDACTED);
            assertThat(config.at("/kafka/ssl.key.password").asText()).isEqualTo(Secrets.REDACTED);
            assertThat(config.at("/kafka/ssl.truststore.password").asText()).isEqualTo(Secrets.REDACTED);
            assertThat(config.at("/app/basic.auth.user.info").asText()).isEqualTo(Secrets.REDACTED);
            assertThat(config.at("/kafka/sasl.mechanism").asText()).isEqualTo("SCRAM-SHA-512");
            assertThat(config.at("/app/http.bind.address").asText()).isEqualTo("127.0.0.1");
            SecureDefaultsTest.SECRETS.forEach(s -> assertThat(response.body()).doesNotContain(s));

            assertThat(app.stop(Duration.ofSeconds(40))).as("drains\n%s", app.logTail()).isZero();
            String printed = app.stdout() + app.stderr();
            assertThat(printed).as("Kafka's config dumps were logged").contains("StreamsConfig values");
            SecureDefaultsTest.SECRETS.forEach(s -> assertThat(printed).as("output of the run").doesNotContain(s));
        }

        // `config --effective`, the other place configuration is printed
        ChildApp.Builder effective = ChildApp.builder("secure-config").env(env).args("config", "--effective");
        try (ChildApp c = effective.start()) {
            assertThat(c.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(c.stdout()).contains("sasl.jaas.config=" + Secrets.REDACTED).contains("basic.auth.user.info=" + Secrets.REDACTED);
            SecureDefaultsTest.SECRETS.forEach(s -> assertThat(c.stdout() + c.stderr()).doesNotContain(s));
        }
    }
}
