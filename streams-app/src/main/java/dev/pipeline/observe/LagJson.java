package dev.pipeline.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.pipeline.json.Json;
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

    /** The document's shape; {@link PartitionLag} is written as it is (its components are the fields). */
    private record Document(String at, Map<String, Group> groups) {}

    private record WithHistory(String at, Map<String, Group> groups, List<Map<String, Object>> history) {}

    private record Group(LagStatus status, String error, long totalLag, double maxLagSeconds,
            List<PartitionLag> partitions) {}

    public static String write(LagSnapshot snapshot, boolean pretty) {
        try {
            return pretty ? Json.PRETTY.writeValueAsString(document(snapshot)) : Json.MAPPER.writeValueAsString(document(snapshot));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lag snapshot is not serialisable", e);
        }
    }

    /** The snapshot with an extra field {@code history} (see {@link DashboardHistory#toJson()}). */
    static String write(LagSnapshot snapshot, List<Map<String, Object>> history) {
        Document d = document(snapshot);
        try {
            return Json.MAPPER.writeValueAsString(new WithHistory(d.at(), d.groups(), history));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("lag history is not serialisable", e);
        }
    }

    private static Document document(LagSnapshot snapshot) {
        Map<String, Group> groups = new LinkedHashMap<>();
        for (GroupLag g : snapshot.groups()) {
            groups.put(g.group(), new Group(g.status(), g.error(), g.totalLag(), g.maxLagSeconds(), g.partitions()));
        }
        return new Document(snapshot.at().toString(), groups);
    }
}
