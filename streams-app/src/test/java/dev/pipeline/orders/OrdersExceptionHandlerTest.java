package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.junit.jupiter.api.Test;

class OrdersExceptionHandlerTest {
    private final OrdersExceptionHandler handler = new OrdersExceptionHandler();

    @Test
    void shouldReplaceThreadOnTaskCorruptionAndFencingEvenWhenWrapped() {
        assertThat(handler.handle(new TaskCorruptedException(Set.of()))).isEqualTo(REPLACE_THREAD);
        assertThat(handler.handle(new StreamsException(new ProducerFencedException("zombie")))).isEqualTo(REPLACE_THREAD);
    }

    @Test
    void shouldShutDownClientOnAnythingElse() {
        assertThat(handler.handle(new IllegalStateException("bug"))).isEqualTo(SHUTDOWN_CLIENT);
        assertThat(handler.handle(new StreamsException("poison", new NullPointerException()))).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void shouldShutDownWhenReplacementsKeepHappeningWithinTheWindow() {
        Clock fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        OrdersExceptionHandler h = new OrdersExceptionHandler(fixed);
        for (int i = 0; i < OrdersExceptionHandler.MAX_REPLACEMENTS; i++) {
            assertThat(h.handle(new ProducerFencedException("again"))).isEqualTo(REPLACE_THREAD);
        }
        assertThat(h.handle(new ProducerFencedException("again"))).isEqualTo(SHUTDOWN_CLIENT);
    }
}
