package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.schema.LogEvent;
import dev.pipeline.schema.LogLevel;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogEventGeneratorTest {

    @Test
    void shouldSkewLevelsTowardsInfoWithRareFatal() {
        LogEventGenerator gen = new LogEventGenerator(1, 20, () -> 0L);
        Map<LogLevel, Integer> levels = new EnumMap<>(LogLevel.class);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            levels.merge(gen.next().value().getLevel(), 1, Integer::sum);
        }
        assertThat(levels.get(LogLevel.INFO)).isGreaterThan(n * 6 / 10);
        assertThat(levels.get(LogLevel.FATAL)).isPositive().isLessThan(n / 100);
        assertThat(levels.get(LogLevel.ERROR)).isGreaterThan(levels.get(LogLevel.FATAL)).isLessThan(levels.get(LogLevel.WARN));
        assertThat(levels).containsOnlyKeys(LogLevel.values());
    }

    @Test
    void shouldKeyByServiceWithAHotHeadAndALongTail() {
        LogEventGenerator gen = new LogEventGenerator(2, 50, () -> 123L);
        Map<String, Integer> perService = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            GeneratedEvent<LogEvent> e = gen.next();
            assertThat(e.key()).isEqualTo(e.value().getService());
            assertThat(e.value().getMessage()).doesNotContain("{");
            assertThat(e.value().getTimestamp().toEpochMilli()).isEqualTo(123L);
            perService.merge(e.key(), 1, Integer::sum);
        }
        assertThat(perService).hasSize(50);
        int hottest = perService.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int coldest = perService.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(hottest).isGreaterThan(3 * coldest);
    }
}
