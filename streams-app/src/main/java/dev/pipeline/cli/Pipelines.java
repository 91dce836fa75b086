package dev.pipeline.cli;

import dev.pipeline.app.PipelineApplication;
import dev.pipeline.config.ConfigError;
import dev.pipeline.logs.LogsPipeline;
import dev.pipeline.orders.OrdersPipeline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The pipelines {@code run} knows, by name, in start order. */
public final class Pipelines {
    private Pipelines() {}

    private static final Map<String, PipelineApplication.Factory> ALL = new LinkedHashMap<>();

    static {
        ALL.put("logs", LogsPipeline::create);
        ALL.put("orders", OrdersPipeline::create);
    }

    public static Set<String> names() {
        return ALL.keySet();
    }

    /** All pipelines when {@code only} is empty; refuses unknown names (exit 2). */
    public static List<PipelineApplication.Factory> select(Set<String> only) {
        for (String n : only) {
            if (!ALL.containsKey(n)) {
                throw new ConfigError("Unknown pipeline '" + n + "' for --only. Allowed: " + String.join(", ", ALL.keySet()) + ".");
            }
        }
        List<PipelineApplication.Factory> out = new ArrayList<>();
        ALL.forEach((name, f) -> {
            if (only.isEmpty() || only.contains(name)) {
                out.add(f);
            }
        });
        return out;
    }
}
