package dev.pipeline.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON form of a {@link LagSnapshot}, served at {@code /api/lag} and printed by
 * {@code lag --json}:
 * <pre>{@code
 * {"at":"2026-11-22T10:00:00Z",
 *  "groups":{"pipeline-orders":{"status":"OK","error":null,"totalLag":12,"maxLagSeconds":0.4,
 *    "partitions":[{"topic":"orders","partition":0,"committedOffset":100,"endOffset":112,
 *                   "lag":12,"lagSeconds":0.4,"status":"OK"}]}}}
 * }</pre>
 * {@code committedOffset} is null where the group never committed; {@code lagSeconds} is null
 * while unknown.
 */
public final class LagJson {
    private LagJson() {}

    public static String write(LagSnapshot snapshot, boolean pretty) {
        try {
            return pretty ? Json.PRETTY.writeValueAsString(toMap(snapshot)) : Json.MAPPER.writeValueAsString(toMap(snapshot));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lag snapshot is not serialisable", e);
        }
    }

    /** The snapshot with an extra field {@code history} (see {@link DashboardHistory#toJson()}). */
    static String write(LagSnapshot snapshot, List<Map<String, Object>> history) {
        Map<String, Object> root = toMap(snapshot);
        root.put("history", history);
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lag history is not serialisable", e);
        }
    }

    static Map<String, Object> toMap(LagSnapshot snapshot) {
        Map<String, Object> groups = new LinkedHashMap<>();
        for (GroupLag g : snapshot.groups()) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("status", g.status().name());
            group.put("error", g.error());
            group.put("totalLag", g.totalLag());
            group.put("maxLagSeconds", g.maxLagSeconds());
            List<Map<String, Object>> partitions = g.partitions().stream().map(LagJson::partition).toList();
            group.put("partitions", partitions);
            groups.put(g.group(), group);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("at", snapshot.at().toString());
        root.put("groups", groups);
        return root;
    }

    private static Map<String, Object> partition(PartitionLag p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", p.topic());
        m.put("partition", p.partition());
        m.put("committedOffset", p.committedOffset());
        m.put("endOffset", p.endOffset());
        m.put("lag", p.lag());
        m.put("lagSeconds", p.lagSeconds());
        m.put("status", p.status().name());
        return m;
    }
}
