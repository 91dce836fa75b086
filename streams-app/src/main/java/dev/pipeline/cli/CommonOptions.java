package dev.pipeline.cli;

import dev.pipeline.config.ConfigLoader;
import dev.pipeline.config.CoreKeys;
import dev.pipeline.config.PipelineConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** Options every command takes; flags win over env, env over the file, the file over defaults. */
public final class CommonOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS). None: an embedded broker where the command supports it.")
    String bootstrapServers;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with app keys and Kafka client settings.")
    Path configFile;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (default 8080; 0 = random, printed at start).")
    Integer httpPort;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "State directory (Streams stores, embedded broker data).")
    Path stateDir;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Set any configuration key (app or Kafka client).")
    Map<String, String> settings = new LinkedHashMap<>();

    /** Where {@code run} and {@code broker} put the embedded broker by default. */
    static final String LOCAL_BROKER = "localhost:9092";

    /**
     * The effective configuration, with {@link #LOCAL_BROKER} as the bootstrap servers when none
     * are given — said on stderr, so a new user sees where the command looks (client commands).
     */
    public PipelineConfig loadOrLocalBroker(String command) {
        PipelineConfig config = load();
        if (config.bootstrapServers().isPresent()) {
            return config;
        }
        System.err.println("No --bootstrap-servers (or KAFKA_BOOTSTRAP_SERVERS) given: '" + command + "' tries "
                + LOCAL_BROKER + ", where 'run' and 'broker' put the embedded broker.");
        return config.with(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, LOCAL_BROKER));
    }

    /** The effective configuration, or a {@link dev.pipeline.config.ConfigError} (exit 2). */
    public PipelineConfig load() {
        return load(System.getenv());
    }

    PipelineConfig load(Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>(settings);
        if (bootstrapServers != null) {
            flags.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        }
        if (httpPort != null) {
            flags.put(CoreKeys.HTTP_PORT_CONFIG, httpPort.toString());
        }
        if (stateDir != null) {
            flags.put(CoreKeys.STATE_DIR_CONFIG, stateDir.toString());
        }
        return ConfigLoader.load(Optional.ofNullable(configFile), env, flags);
    }
}
