package dev.pipeline.deploy;

import static dev.pipeline.deploy.DeployFiles.list;
import static dev.pipeline.deploy.DeployFiles.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.cli.Main;
import dev.pipeline.config.ConfigDefinitions;
import dev.pipeline.config.ConfigLoader;
import dev.pipeline.config.CoreKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yml checked without a Docker engine: the services the deployment promises, health
 * checks and start order, two replicas of one application with their own state, loopback-only
 * ports, and that every file it mounts exists. (docker/validate.sh adds the Compose Spec schema
 * check with dclint.)
 */
class ComposeFileTest {
    private static final Set<String> CONDITIONS = Set.of("service_healthy", "service_started", "service_completed_successfully");
    private static final String APP_IMAGE = "pipeline/streams-app";
    private static final String STATE_DIR = "/var/lib/pipeline";
    private static final int APP_PORT = 8080;

    private static Path docker;
    private static Map<String, Object> compose;
    private static Map<String, Object> services;

    @BeforeAll
    static void parse() {
        docker = DeployFiles.dockerDir();
        compose = DeployFiles.yaml(docker.resolve("compose.yml"));
        services = map(compose.get("services"));
    }

    @Test
    void shouldDefineKafkaRegistryTwoAppsLoadGeneratorPrometheusAndGrafana() {
        assertThat(image("kafka")).startsWith("apache/kafka:");
        assertThat(image("schema-registry")).startsWith("confluentinc/cp-schema-registry:");
        assertThat(image("prometheus")).startsWith("prom/prometheus:");
        assertThat(image("grafana")).startsWith("grafana/grafana:");
        assertThat(appReplicas()).hasSize(2);
        List<String> produced = services.keySet().stream().filter(s -> command(s).startsWith("produce "))
                .map(s -> command(s).split(" ")[1]).sorted().toList();
        assertThat(produced).as("one-shot load generators").containsExactly("logs", "orders");
    }

    @Test
    void shouldGiveTheAppImageOnlyCommandLinesTheCliAccepts() {
        for (String s : services.keySet()) {
            if (!image(s).startsWith(APP_IMAGE + ":")) {
                continue;
            }
            String[] args = list(service(s).get("command")).stream().map(String::valueOf).toArray(String[]::new);
            assertThat(args).as("%s has a command", s).isNotEmpty();
            // parse only (no execution): an unknown command or option would fail the container at start
            new picocli.CommandLine(new Main()).parseArgs(args);
        }
    }

    @Test
    void shouldRunKafkaInKraftModeWithSingleBrokerReplicationSettings() {
        Map<String, String> env = env("kafka");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).startsWith(env.get("KAFKA_NODE_ID") + "@kafka:");
        assertThat(env).containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsEntry("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .containsKey("CLUSTER_ID");
        assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("PLAINTEXT://kafka:9092");
        assertThat(env("schema-registry").get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS")).contains("kafka:9092");
    }

    @Test
    void shouldGiveEveryLongRunningServiceAHealthcheck() {
        for (String s : services.keySet()) {
            Map<String, Object> hc = map(service(s).get("healthcheck"));
            if (oneShot(s)) {
                assertThat(hc.get("disable")).as("%s is one-shot: the image's HTTP health check does not apply", s).isEqualTo(true);
                continue;
            }
            assertThat(hc).as("healthcheck of %s", s).containsKeys("test", "interval", "timeout", "retries");
            assertThat(list(hc.get("test"))).as("healthcheck test of %s", s).isNotEmpty();
        }
        for (String app : appReplicas()) {
            assertThat(list(map(service(app).get("healthcheck")).get("test")))
                    .as("%s is healthy when ready", app).contains("http://127.0.0.1:" + APP_PORT + "/health/ready");
        }
    }

    @Test
    void shouldStartInDependencyOrderWithConditions() {
        for (String s : services.keySet()) {
            Object deps = service(s).get("depends_on");
            if (deps == null) {
                continue;
            }
            assertThat(deps).as("%s: depends_on in long form, so each dependency has a condition", s).isInstanceOf(Map.class);
            map(deps).forEach((dep, spec) -> {
                assertThat(services).as("%s depends on an existing service", s).containsKey(dep);
                String condition = String.valueOf(map(spec).get("condition"));
                assertThat(condition).as("%s -> %s", s, dep).isIn(CONDITIONS);
                if (condition.equals("service_healthy")) {
                    assertThat(map(service(dep).get("healthcheck")).get("disable"))
                            .as("%s waits for %s to be healthy, so it must have a health check", s, dep).isNotEqualTo(true);
                }
            });
        }
        assertThat(condition("schema-registry", "kafka")).isEqualTo("service_healthy");
        for (String app : appReplicas()) {
            assertThat(condition(app, "kafka")).isEqualTo("service_healthy");
            assertThat(condition(app, "schema-registry")).isEqualTo("service_healthy");
        }
        for (String s : services.keySet()) {
            if (command(s).startsWith("produce ")) {
                appReplicas().forEach(app -> assertThat(condition(s, app)).as("%s waits for %s", s, app).isEqualTo("service_healthy"));
            }
        }
        assertThat(condition("grafana", "prometheus")).isNotNull();
        appReplicas().forEach(app -> assertThat(condition("prometheus", app)).as("prometheus after %s", app).isNotNull());
    }

    @Test
    void shouldRunTwoReplicasOfOneApplicationWithSeparateStateVolumes() {
        List<String> apps = appReplicas();
        List<Map<String, String>> envs = apps.stream().map(ComposeFileTest::env).toList();
        for (String key : List.of("PIPELINE_LOGS_APPLICATION_ID", "PIPELINE_ORDERS_APPLICATION_ID")) {
            assertThat(envs).as(key).allSatisfy(e -> assertThat(e.get(key)).isNotBlank());
            assertThat(envs.stream().map(e -> e.get(key)).distinct()).as("%s identical on every replica", key).hasSize(1);
        }
        for (Map<String, String> e : envs) {
            assertThat(e.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
            assertThat(e.get("PIPELINE_SCHEMA_REGISTRY_URL")).isEqualTo("http://schema-registry:8081");
            assertThat(Integer.parseInt(e.get("PIPELINE_TOPIC_PARTITIONS")))
                    .as("sizing rule: partitions >= instances x stream threads").isGreaterThanOrEqualTo(apps.size());
            assertThat(Integer.parseInt(e.getOrDefault("KAFKA_NUM_STANDBY_REPLICAS", "0"))).as("warm standby").isEqualTo(1);
        }
        List<String> stateVolumes = new ArrayList<>();
        for (String app : apps) {
            List<String> state = volumes(app).stream().filter(v -> v.endsWith(":" + STATE_DIR)).toList();
            assertThat(state).as("%s mounts a volume at %s", app, STATE_DIR).hasSize(1);
            String source = state.get(0).substring(0, state.get(0).indexOf(':'));
            assertThat(map(compose.get("volumes"))).as("%s's state is a named volume", app).containsKey(source);
            stateVolumes.add(source);
        }
        assertThat(stateVolumes).as("each replica has its own state").doesNotHaveDuplicates();
    }

    @Test
    void shouldNameOnlyKnownAppKeysInTheAppEnvironment() {
        Set<String> known = ConfigDefinitions.definition().configKeys().keySet();
        for (String app : appReplicas()) {
            env(app).keySet().stream().filter(k -> k.startsWith(ConfigLoader.APP_ENV_PREFIX)).forEach(k -> {
                String key = k.substring(ConfigLoader.APP_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                assertThat(known).as("%s: %s is an app key ('config' would refuse it at start)", app, key).contains(key);
            });
        }
    }

    @Test
    void shouldFitHeapAndRocksDbIntoTheMemoryLimit() {
        for (String app : appReplicas()) {
            long limit = bytes(String.valueOf(service(app).get("mem_limit")));
            long rocksDb = Long.parseLong(env(app).getOrDefault("PIPELINE_ROCKSDB_MEMORY_MAX_BYTES", "0"));
            assertThat(rocksDb).as("%s caps RocksDB (else it grows with tasks x stores)", app).isPositive();
            long heap = limit / 2; // the image's -XX:MaxRAMPercentage=50
            assertThat(heap + rocksDb + 200L * 1024 * 1024).as("%s: heap + RocksDB + JVM overhead within mem_limit", app)
                    .isLessThanOrEqualTo(limit);
        }
    }

    @Test
    void shouldGiveTheDrainMoreTimeThanTheShutdownTimeout() {
        for (String app : appReplicas()) {
            long shutdownMs = Long.parseLong(env(app).getOrDefault("PIPELINE_SHUTDOWN_TIMEOUT_MS",
                    String.valueOf(ConfigDefinitions.definition().configKeys().get(CoreKeys.SHUTDOWN_TIMEOUT_MS_CONFIG).defaultValue)));
            Duration grace = duration(String.valueOf(service(app).get("stop_grace_period")));
            assertThat(grace).as("%s: docker stop must not SIGKILL a drain that is within shutdown.timeout.ms + 5 s", app)
                    .isGreaterThan(Duration.ofMillis(shutdownMs + 5_000));
        }
    }

    @Test
    void shouldPublishPortsOnLoopbackOnly() {
        Set<String> appHostPorts = new TreeSet<>();
        for (String s : services.keySet()) {
            for (Object p : list(service(s).get("ports"))) {
                String port = String.valueOf(p);
                assertThat(port).as("%s publishes %s", s, port).startsWith("127.0.0.1:");
                if (appReplicas().contains(s)) {
                    assertThat(port).endsWith(":" + APP_PORT);
                    appHostPorts.add(port.split(":")[1]);
                }
            }
        }
        assertThat(appHostPorts).as("each replica's page on its own host port").hasSize(appReplicas().size());
    }

    @Test
    void shouldMountOnlyFilesThatExist() {
        List<String> binds = new ArrayList<>();
        for (String s : services.keySet()) {
            volumes(s).stream().filter(v -> v.startsWith("./") || v.startsWith("../")).forEach(binds::add);
        }
        assertThat(binds).as("prometheus.yml and the Grafana provisioning are mounted").isNotEmpty();
        List<String> missing = binds.stream().map(v -> v.substring(0, v.indexOf(':')))
                .filter(p -> !Files.exists(docker.resolve(p))).toList();
        assertThat(missing).as("host paths mounted by docker/compose.yml (relative to docker/)").isEmpty();
        for (String app : appReplicas()) {
            Map<String, Object> build = map(service(app).get("build"));
            Path context = docker.resolve(String.valueOf(build.get("context"))).normalize();
            assertThat(context.resolve(String.valueOf(build.get("dockerfile")))).isRegularFile();
        }
    }

    @Test
    void shouldScrapeEveryReplicaAndProvisionTheDashboardWhereItIsMounted() {
        Map<String, Object> prometheus = DeployFiles.yaml(docker.resolve("prometheus.yml"));
        Set<String> targets = new TreeSet<>();
        for (Object job : list(prometheus.get("scrape_configs"))) {
            for (Object sc : list(map(job).get("static_configs"))) {
                list(map(sc).get("targets")).forEach(t -> targets.add(String.valueOf(t)));
            }
        }
        assertThat(targets).as("Prometheus scrapes every app replica")
                .containsAll(appReplicas().stream().map(a -> a + ":" + APP_PORT).toList());

        String dashboardsInContainer = volumes("grafana").stream().filter(v -> v.startsWith("./grafana/dashboards:"))
                .map(v -> v.split(":")[1]).findFirst().orElseThrow();
        Set<String> providerPaths = new TreeSet<>();
        try (var files = Files.list(docker.resolve("grafana/provisioning/dashboards"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).toList()) {
                list(DeployFiles.yaml(f).get("providers")).forEach(p -> providerPaths.add(String.valueOf(map(map(p).get("options")).get("path"))));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(providerPaths).as("Grafana loads dashboards from where compose mounts them").contains(dashboardsInContainer);
    }

    // ---- helpers ----

    /** Services that run the app image's {@code run} command: the replicas. */
    private static List<String> appReplicas() {
        return services.keySet().stream().filter(s -> image(s).startsWith(APP_IMAGE + ":") && command(s).startsWith("run"))
                .sorted().collect(Collectors.toList());
    }

    private static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return map(services.get(name));
    }

    private static String image(String name) {
        return String.valueOf(service(name).getOrDefault("image", ""));
    }

    private static String command(String name) {
        Object c = service(name).get("command");
        return c instanceof List<?> l ? l.stream().map(String::valueOf).collect(Collectors.joining(" ")) : String.valueOf(c);
    }

    private static boolean oneShot(String name) {
        return "no".equals(String.valueOf(service(name).get("restart")));
    }

    private static Map<String, String> env(String name) {
        Object e = service(name).get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (e instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        } else {
            for (Object line : list(e)) {
                String s = String.valueOf(line);
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return out;
    }

    private static List<String> volumes(String name) {
        return list(service(name).get("volumes")).stream().map(String::valueOf).toList();
    }

    private static String condition(String service, String dependency) {
        Object spec = map(service(service).get("depends_on")).get(dependency);
        return spec == null ? null : String.valueOf(map(spec).get("condition"));
    }

    /** Compose byte values: {@code 1g}, {@code 512m}, {@code 1024k}, plain bytes. */
    static long bytes(String text) {
        Matcher m = Pattern.compile("(\\d+)([bkmg]?)").matcher(text.toLowerCase(Locale.ROOT));
        assertThat(m.matches()).as("a Compose byte value: %s", text).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    /** Compose durations: {@code 1m30s}, {@code 45s}, {@code 500ms}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        assertThat(end).as("a Compose duration: %s", text).isEqualTo(text.length()).isPositive();
        return d;
    }
}
