package dev.pipeline.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/lag}: the lag monitor's latest snapshot as {@link LagJson};
 * {@code ?group=a&group=b} keeps only those groups; {@code ?history=true} adds the field
 * {@code history} ({@link DashboardHistory}), which the dashboard asks for once when it opens, so
 * its regular polls stay small. Never waits for the cluster: it serves what the monitor's thread
 * last sampled.
 */
public final class LagHandler implements HttpHandler {
    private final Supplier<LagSnapshot> snapshots;
    private final Supplier<List<Map<String, Object>>> history;

    public LagHandler(LagMonitor monitor) {
        this(monitor::snapshot);
    }

    public LagHandler(Supplier<LagSnapshot> snapshots) {
        this(snapshots, List::of);
    }

    public LagHandler(Supplier<LagSnapshot> snapshots, DashboardHistory history) {
        this(snapshots, history::toJson);
    }

    private LagHandler(Supplier<LagSnapshot> snapshots, Supplier<List<Map<String, Object>>> history) {
        this.snapshots = snapshots;
        this.history = history;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!HttpResponses.allowGet(exchange)) {
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            LagSnapshot s = snapshots.get().only(values(query, "group"));
            String json = values(query, "history").contains("true") ? LagJson.write(s, history.get()) : LagJson.write(s, false);
            HttpResponses.send(exchange, 200, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
        }
    }

    static List<String> groups(String rawQuery) {
        return values(rawQuery, "group");
    }

    private static List<String> values(String rawQuery, String name) {
        List<String> out = new ArrayList<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && name.equals(pair.substring(0, eq))) {
                out.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
