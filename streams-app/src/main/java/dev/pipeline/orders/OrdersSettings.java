package dev.pipeline.orders;

import dev.pipeline.config.DedupClock;
import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import java.time.Duration;

/** The orders keys, typed, read once from the config. */
public record OrdersSettings(
        String applicationId,
        String processingGuarantee,
        long commitIntervalMs,
        int transactionTimeoutMs,
        long dedupTtlMs,
        DedupClock dedupClock,
        int dedupScanMax,
        long paymentTimeoutMs,
        long retentionMs,
        int expiryScanMax,
        Duration maintenanceInterval,
        Duration conservationInterval) {

    public static OrdersSettings from(PipelineConfig c) {
        return new OrdersSettings(
                c.getString(OrdersKeys.APPLICATION_ID_CONFIG),
                c.getString(OrdersKeys.PROCESSING_GUARANTEE_CONFIG),
                c.getLong(OrdersKeys.COMMIT_INTERVAL_MS_CONFIG),
                c.getInt(OrdersKeys.TRANSACTION_TIMEOUT_MS_CONFIG),
                c.getLong(OrdersKeys.DEDUP_TTL_MS_CONFIG),
                DedupClock.parse(c.getString(OrdersKeys.DEDUP_TTL_CLOCK_CONFIG)),
                c.getInt(OrdersKeys.DEDUP_SCAN_MAX_CONFIG),
                c.getLong(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG),
                c.getLong(OrdersKeys.RETENTION_MS_CONFIG),
                c.getInt(OrdersKeys.EXPIRY_SCAN_MAX_CONFIG),
                Duration.ofMillis(c.getLong(OrdersKeys.MAINTENANCE_INTERVAL_MS_CONFIG)),
                Duration.ofMillis(c.getInt(PolicyKeys.CONSERVATION_CHECK_INTERVAL_MS_CONFIG)));
    }
}
