package dev.pipeline.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code GET /} and the dashboard's assets, from the classpath folder {@code dashboard/}. Only
 * the files listed here are served (no path is ever resolved from the request), everything is
 * loaded once at construction, and a Content-Security-Policy limits the page to this origin, so
 * it makes no external calls. Mount on {@code "/"}: it answers 404 for any other path.
 */
public final class DashboardHandler implements HttpHandler {
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; frame-ancestors 'none'";
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/dashboard.js", "dashboard.js",
            "/dashboard.css", "dashboard.css",
            "/favicon.svg", "favicon.svg");

    private final Map<String, byte[]> bodies = new HashMap<>();

    public DashboardHandler() {
        for (String file : FILES.values()) {
            bodies.computeIfAbsent(file, DashboardHandler::load);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!HttpResponses.allowGet(exchange)) {
                return;
            }
            String file = FILES.get(exchange.getRequestURI().getPath());
            if (file == null) {
                HttpResponses.send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            HttpResponses.send(exchange, 200, contentType(file), bodies.get(file));
        }
    }

    private static String contentType(String file) {
        if (file.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (file.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        } else if (file.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "image/svg+xml";
    }

    private static byte[] load(String file) {
        try (InputStream in = DashboardHandler.class.getClassLoader().getResourceAsStream("dashboard/" + file)) {
            if (in == null) {
                throw new IllegalStateException("dashboard asset missing from the jar: dashboard/" + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
