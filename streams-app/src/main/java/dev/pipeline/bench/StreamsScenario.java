package dev.pipeline.bench;

import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.schema.LogEvent;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/** A plain Kafka Streams topology over the preloaded LogEvents: the passthrough baselines and the DSL alternative. */
final class StreamsScenario implements Scenario {
    static final String PASSTHROUGH_ALOS = "streams passthrough ALOS";
    static final String PASSTHROUGH_EOS = "streams passthrough EOS";
    static final String DSL_COUNT = "DSL windowed count per service";
    private static final Duration WINDOW = Duration.ofMinutes(1);

    @FunctionalInterface
    interface TopologyBuilder {
        Topology build(String in, String out, SerdeFactory serdes);
    }

    private final String name;
    private final String group;
    private final Guarantee guarantee;
    private final TopologyBuilder topology;

    StreamsScenario(String name, String group, Guarantee guarantee, TopologyBuilder topology) {
        this.name = name;
        this.group = group;
        this.guarantee = guarantee;
        this.topology = topology;
    }

    /** Bytes in, bytes out: the least Kafka Streams can do per record. */
    static Scenario passthrough(Guarantee guarantee) {
        return new StreamsScenario(guarantee == Guarantee.EOS ? PASSTHROUGH_EOS : PASSTHROUGH_ALOS, "baseline", guarantee,
                (in, out, serdes) -> {
                    StreamsBuilder b = new StreamsBuilder();
                    b.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                            .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
                    return b.build();
                });
    }

    /**
     * What a user would write instead of our logs pipeline: deserialize, group by service, count
     * per one-minute window (RocksDB store with a changelog, record cache on), emit the counts.
     */
    static Scenario dslWindowedCount() {
        return new StreamsScenario(DSL_COUNT, "alternative", Guarantee.ALOS, (in, out, serdes) -> {
            StreamsBuilder b = new StreamsBuilder();
            b.stream(in, Consumed.with(Serdes.String(), serdes.valueSerde(LogEvent.class)))
                    .groupByKey()
                    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, WINDOW))
                    .count()
                    .toStream((windowed, count) -> windowed.key())
                    .to(out, Produced.with(Serdes.String(), Serdes.Long()));
            return b.build();
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String group() {
        return group;
    }

    @Override
    public Guarantee guarantee() {
        return guarantee;
    }

    @Override
    public Run prepare(BenchEnvironment env, BenchOptions options) throws Exception {
        String in = ClientScenarios.preloaded(env, options);
        return runId -> {
            String out = env.freshTopic("streams-out", options.partitions());
            return StreamsTimer.run(topology.build(in, out, env.serdes()), env.streamsProps(env.freshName("app"), guarantee),
                    options.records(), runTimeout(options), () -> {}, Map.of());
        };
    }

    static Duration runTimeout(BenchOptions options) {
        return Duration.ofSeconds(60 + options.records() / 2_000);
    }
}
