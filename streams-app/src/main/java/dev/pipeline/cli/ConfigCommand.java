package dev.pipeline.cli;

import dev.pipeline.config.ConfigDefinitions;
import dev.pipeline.config.PipelineConfig;
import java.util.Comparator;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints the one definition of every key, so the docs never drift from the code. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print every configuration key with type, default, valid values and documentation.")
public final class ConfigCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--effective", description = "Print the effective values (defaults < file < env < flags), secrets redacted.")
    boolean effective;

    @Override
    public Integer call() {
        if (effective) {
            PipelineConfig config = common.load();
            config.redacted().forEach((section, values) -> {
                System.out.println("# " + section);
                values.forEach((k, v) -> System.out.println(k + "=" + v));
            });
            return Main.EXIT_OK;
        }
        ConfigDef def = ConfigDefinitions.definition();
        System.out.printf("%-36s %-8s %-22s %-34s %s%n", "KEY", "TYPE", "DEFAULT", "VALID VALUES", "DOCUMENTATION");
        def.configKeys().values().stream().sorted(Comparator.comparing(k -> k.name)).forEach(k ->
                System.out.printf("%-36s %-8s %-22s %-34s %s%n", k.name, k.type.name().toLowerCase(),
                        shown(k), k.validator == null ? "" : k.validator.toString(), k.documentation));
        System.out.println();
        System.out.println("Environment: PIPELINE_FOO_BAR sets app key foo.bar; KAFKA_FOO_BAR sets Kafka client key foo.bar.");
        System.out.println("Precedence: default < --config file < environment < flags (--set KEY=VALUE).");
        System.out.println("Kafka client settings (security, tuning) pass through untouched; prefix 'kafka.' in files for keys the clients add.");
        return Main.EXIT_OK;
    }

    private static String shown(ConfigDef.ConfigKey k) {
        Object d = k.defaultValue;
        if (d instanceof org.apache.kafka.common.config.types.Password) {
            return "\"\"";
        }
        String s = d == null ? "null" : d.toString();
        return s.isEmpty() ? "\"\"" : s;
    }

}
