package dev.pipeline.config;

import java.util.Locale;

/**
 * Which clock the orders dedup TTL runs on ({@code orders.dedup.ttl.clock}). In {@code config}, not
 * {@code orders}, because the key's validator is built from it and {@code config} imports no
 * capability.
 */
public enum DedupClock {
    /** The task's stream time (max record timestamp seen): replays and backfills behave like the original run. */
    STREAM,
    /** The processing host's clock: entries expire even when no records arrive. */
    WALL;

    public static DedupClock parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    /** The value as the config shows it by default (lower case; any case is accepted). */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
