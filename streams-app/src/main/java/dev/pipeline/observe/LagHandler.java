package dev.pipeline.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /api/lag}: the lag monitor's latest snapshot as {@link LagJson};
 * {@code ?group=a&group=b} keeps only those groups. Never waits for the cluster: it serves what
 * the monitor's thread last sampled.
 */
public final class LagHandler implements HttpHandler {
    private final Supplier<LagSnapshot> snapshots;

    public LagHandler(LagMonitor monitor) {
        this(monitor::snapshot);
    }

    public LagHandler(Supplier<LagSnapshot> snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!HttpResponses.allowGet(exchange)) {
                return;
            }
            LagSnapshot s = snapshots.get().only(groups(exchange.getRequestURI().getRawQuery()));
            HttpResponses.send(exchange, 200, "application/json; charset=utf-8",
                    LagJson.write(s, false).getBytes(StandardCharsets.UTF_8));
        }
    }

    static List<String> groups(String rawQuery) {
        List<String> out = new ArrayList<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && "group".equals(pair.substring(0, eq))) {
                out.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
