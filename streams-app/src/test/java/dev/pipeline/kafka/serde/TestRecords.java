package dev.pipeline.kafka.serde;

import dev.pipeline.schema.FlushReason;
import dev.pipeline.schema.LogBatch;
import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.schema.OrderStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated record of each schema (timestamps in whole millis, as the wire keeps them). */
final class TestRecords {
    static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_123L);

    private TestRecords() {}

    static LogEvent logEvent() {
        return LogEvent.newBuilder()
                .setEventId("e-1").setTimestamp(T0).setService("checkout").setHost("host-a")
                .setLevel(LogLevel.WARN).setMessage("slow response: 812 ms").setTraceId("trace-9")
                .setAttributes(Map.of("region", "eu-west-1", "pod", "checkout-7f"))
                .build();
    }

    static LogBatch logBatch() {
        return LogBatch.newBuilder()
                .setService("checkout").setWindowStart(T0).setWindowEnd(T0.plusSeconds(5)).setCount(3)
                .setCountByLevel(Map.of("INFO", 2L, "WARN", 1L)).setFirstTimestamp(T0)
                .setLastTimestamp(T0.plusMillis(900)).setBytes(412).setSampleMessages(List.of("a", "b"))
                .setFlushReason(FlushReason.SIZE)
                .build();
    }

    static OrderEvent orderEvent() {
        return OrderEvent.newBuilder()
                .setEventId("oe-1").setOrderId("o-1").setCustomerId("c-1").setType(OrderEventType.PAID)
                .setAmountCents(12_345).setCurrency("EUR").setTimestamp(T0)
                .build();
    }

    static OrderResult orderResult() {
        return OrderResult.newBuilder()
                .setOrderId("o-1").setCustomerId("c-1").setStatus(OrderStatus.PAID).setAmountCents(12_345)
                .setCurrency("EUR").setLastEventId("oe-1").setVersion(2).setUpdatedAt(T0)
                .build();
    }
}
