package dev.pipeline.config;

import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The one definition of every app key. Each capability keeps its keys in its own {@code *Keys}
 * class; this joins them so {@code config} prints one table and parsing sees one namespace.
 */
public final class ConfigDefinitions {
    private ConfigDefinitions() {}

    private static final ConfigDef DEFINITION = build();

    /** Rules that span several keys (e.g. a worst-case wait against max.poll.interval.ms). */
    private static final List<CrossCheck> CROSS_CHECKS = Stream.of(PolicyKeys.CROSS_CHECKS,
            List.<CrossCheck>of(LogsKeys::check), OrdersKeys.CROSS_CHECKS).flatMap(List::stream).toList();

    public static ConfigDef definition() {
        return DEFINITION;
    }

    static List<CrossCheck> crossChecks() {
        return CROSS_CHECKS;
    }

    private static ConfigDef build() {
        ConfigDef def = new ConfigDef();
        CoreKeys.addTo(def);
        PolicyKeys.addTo(def);
        LogsKeys.addTo(def);
        OrdersKeys.addTo(def);
        ObserveKeys.addTo(def);
        return def;
    }

    /** A rule over the parsed config; throws {@link ConfigError} naming the keys and values. */
    @FunctionalInterface
    public interface CrossCheck {
        void check(PipelineConfig config);
    }
}
