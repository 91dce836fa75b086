package dev.pipeline.load;

import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Log lines from {@code services} services with a skewed load (a few chatty services, a long
 * tail), mostly INFO with some DEBUG/WARN, few ERROR and rare FATAL, messages from per-level
 * templates, a trace id on most lines. The key is the service name.
 */
public final class LogEventGenerator implements EventGenerator<LogEvent> {
    private static final String[] SERVICE_NAMES = {
        "checkout", "payments", "search", "catalog", "auth", "cart", "shipping", "inventory",
        "recommendations", "notifications", "gateway", "billing", "reviews", "pricing", "profile", "media"
    };
    private static final WeightedChoice<LogLevel> LEVELS = new WeightedChoice<>(
            List.of(LogLevel.TRACE, LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR, LogLevel.FATAL),
            new double[] {2, 12, 70, 10, 5.5, 0.5});
    private static final Map<LogLevel, String[]> TEMPLATES = templates();
    private static final String[] PATHS = {"/api/v1/orders", "/api/v1/cart", "/api/v1/items", "/health", "/api/v2/search"};
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1"};
    private static final HexFormat HEX = HexFormat.of();

    private final Random random;
    private final LongSupplier clockMillis;
    private final List<String> services;
    private final WeightedChoice<String> servicePick;

    /**
     * @param seed        same seed, same events (ids included)
     * @param services    number of distinct services (keys), at least 1
     * @param clockMillis the event timestamp source (wall clock in production)
     */
    public LogEventGenerator(long seed, int services, LongSupplier clockMillis) {
        if (services < 1) {
            throw new IllegalArgumentException("services must be at least 1, got " + services);
        }
        this.random = new Random(seed);
        this.clockMillis = clockMillis;
        this.services = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            String base = SERVICE_NAMES[i % SERVICE_NAMES.length];
            this.services.add(i < SERVICE_NAMES.length ? base : base + "-" + (i / SERVICE_NAMES.length));
        }
        this.servicePick = WeightedChoice.zipf(this.services, 0.6);
    }

    public List<String> services() {
        return List.copyOf(services);
    }

    @Override
    public Class<LogEvent> valueType() {
        return LogEvent.class;
    }

    @Override
    public GeneratedEvent<LogEvent> next() {
        String service = servicePick.pick(random);
        LogLevel level = LEVELS.pick(random);
        String eventId = new UUID(random.nextLong(), random.nextLong()).toString();
        String[] templates = TEMPLATES.get(level);
        String message = fill(templates[random.nextInt(templates.length)]);
        LogEvent event = LogEvent.newBuilder()
                .setEventId(eventId)
                .setTimestamp(java.time.Instant.ofEpochMilli(clockMillis.getAsLong()))
                .setService(service)
                .setHost(service + "-" + Integer.toHexString(0x7a00 + random.nextInt(4)))
                .setLevel(level)
                .setMessage(message)
                .setTraceId(random.nextInt(10) < 7 ? HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong()) : null)
                .setAttributes(Map.of("region", REGIONS[random.nextInt(REGIONS.length)], "version", "1." + random.nextInt(5) + ".0"))
                .build();
        return new GeneratedEvent<>(service, event, eventId);
    }

    /** Replaces {n} with a number, {p} with a path, {u} with a user, {d} with a duration in ms. */
    private String fill(String template) {
        StringBuilder sb = new StringBuilder(template.length() + 16);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{' && i + 2 < template.length() && template.charAt(i + 2) == '}') {
                switch (template.charAt(i + 1)) {
                    case 'n' -> sb.append(random.nextInt(100_000));
                    case 'p' -> sb.append(PATHS[random.nextInt(PATHS.length)]);
                    case 'u' -> sb.append("user-").append(random.nextInt(5_000));
                    case 'd' -> sb.append(1 + (long) Math.abs(random.nextGaussian() * 120));
                    default -> sb.append(template, i, i + 3);
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Map<LogLevel, String[]> templates() {
        Map<LogLevel, String[]> t = new EnumMap<>(LogLevel.class);
        t.put(LogLevel.TRACE, new String[] {"enter {p} handler", "exit {p} handler after {d} ms", "cache lookup key={n}"});
        t.put(LogLevel.DEBUG, new String[] {"query plan for {p} uses index {n}", "session refreshed for {u}",
            "connection pool: {n} idle"});
        t.put(LogLevel.INFO, new String[] {"GET {p}/{n} 200 in {d} ms", "POST {p} 201 in {d} ms", "{u} logged in",
            "order {n} accepted", "scheduled job {n} completed in {d} ms"});
        t.put(LogLevel.WARN, new String[] {"slow request {p} took {d} ms", "retrying call to {p} (attempt {n})",
            "GET {p}/{n} 429 rate limited"});
        t.put(LogLevel.ERROR, new String[] {"GET {p}/{n} 500 in {d} ms", "payment provider timeout after {d} ms",
            "failed to publish event {n}: broker unavailable"});
        t.put(LogLevel.FATAL, new String[] {"out of memory, shutting down", "cannot open database: too many connections"});
        return t;
    }
}
