package dev.pipeline.load;

import dev.pipeline.kafka.Topics;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;

/** The two input topics the generator feeds: what it sends, where, and with how many keys by default. */
public enum LoadKind {
    LOGS(50) {
        @Override
        public String topic(Topics topics) {
            return topics.logsRaw();
        }

        @Override
        public EventGenerator<? extends SpecificRecord> generator(long seed, int keys, LongSupplier clockMillis) {
            return new LogEventGenerator(seed, keys, clockMillis);
        }
    },
    ORDERS(1_000) {
        @Override
        public String topic(Topics topics) {
            return topics.orders();
        }

        @Override
        public EventGenerator<? extends SpecificRecord> generator(long seed, int keys, LongSupplier clockMillis) {
            return new OrderEventGenerator(seed, keys, clockMillis);
        }
    };

    private final int defaultKeys;

    LoadKind(int defaultKeys) {
        this.defaultKeys = defaultKeys;
    }

    public abstract String topic(Topics topics);

    public abstract EventGenerator<? extends SpecificRecord> generator(long seed, int keys, LongSupplier clockMillis);

    /** Services (logs) or orders in flight (orders) when {@code --keys} is not given. */
    public int defaultKeys() {
        return defaultKeys;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
