package dev.pipeline.orders;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.orders.OrdersVerifier.Dropped;
import dev.pipeline.orders.OrdersVerifier.Input;
import dev.pipeline.orders.OrdersVerifier.Output;
import dev.pipeline.orders.OrdersVerifier.Rules;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.policy.DropReason;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The Kafka side of {@code verify orders}: reads the input, output and dead-letter topics
 * read_committed and hands {@link OrdersVerifier}'s model what it judges — the decoded records and
 * the inputs the pipeline dead-lettered for reasons the input alone cannot show. The model itself
 * never touches a client, so its tests feed it lists.
 */
public final class VerifierInputs {
    /**
     * Drop reasons by which the parking of an authorization takes out an event the rules alone would
     * have judged: the verifier learns them from the DLQ.
     */
    static final Set<String> EXTERNAL_DROPS = Set.of(DropReason.REJECTED.label(), DropReason.RETRIES_EXHAUSTED.label(),
            DropReason.OVERFLOW.label(), DropReason.CIRCUIT_OPEN.label());

    private VerifierInputs() {}

    /**
     * Reads both topics read_committed to their end offsets and verifies. The output is read
     * before the input, so results can only lag the inputs (reported as missing while the app
     * catches up), never the other way round. Open transactions are those seen before reading.
     * With {@code dlqTopic} (null: not read) the events dropped by the payment authorization are
     * left out of the model. The DLQ is read last: a drop it does not show yet
     * makes its event expected, reported missing or wrong while the app catches up.
     */
    public static VerificationReport readAndVerify(Map<String, ?> clientProps, String inputTopic, String outputTopic,
            String dlqTopic, Deserializer<OrderEvent> events, Deserializer<OrderResult> results, Rules rules,
            Duration timeout) {
        try (CommittedTopicReader reader = new CommittedTopicReader(clientProps, timeout)) {
            List<TopicPartition> in = reader.partitions(inputTopic);
            List<TopicPartition> out = reader.partitions(outputTopic);
            List<TopicPartition> both = new ArrayList<>(in);
            both.addAll(out);
            List<CommittedTopicReader.OpenTransaction> open = reader.openTransactions(both);
            List<Output> outputs = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : reader.readAll(out)) {
                OrderResult value;
                try {
                    value = results.deserialize(outputTopic, r.value());
                } catch (RuntimeException e) {
                    value = null;
                }
                outputs.add(new Output(r.partition(), r.offset(), string(r.key()), value));
            }
            List<Input> inputs = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : reader.readAll(in)) {
                try {
                    inputs.add(Input.of(r.partition(), r.offset(), r.timestamp(), string(r.key()),
                            events.deserialize(inputTopic, r.value())));
                } catch (RuntimeException e) {
                    inputs.add(new Input(r.partition(), r.offset(), r.timestamp(), string(r.key()), null, false));
                }
            }
            Set<Dropped> dropped = dlqTopic == null ? Set.of()
                    : externallyDropped(reader.readAll(reader.partitions(dlqTopic)).stream().map(ConsumerRecord::headers)
                            .toList(), inputTopic);
            List<String> openLines = new ArrayList<>();
            open.forEach(o -> openLines.add(o.toString()));
            return OrdersVerifier.verify(inputs, outputs, rules, dropped).withOpenTransactions(open.size(), openLines);
        }
    }

    /**
     * The input records that a dead-letter record says the orders pipeline dropped for an
     * {@link #EXTERNAL_DROPS} reason; other DLQ records (other pipelines, other reasons) are ignored.
     */
    static Set<Dropped> externallyDropped(List<Headers> dlqHeaders, String inputTopic) {
        Set<Dropped> out = new HashSet<>();
        for (Headers h : dlqHeaders) {
            String reason = DeadLetters.header(h, DeadLetters.REASON);
            if (reason == null || !EXTERNAL_DROPS.contains(reason)
                    || !MetricNames.PIPELINE_ORDERS.equals(DeadLetters.header(h, DeadLetters.PIPELINE))
                    || !inputTopic.equals(DeadLetters.header(h, DeadLetters.SOURCE_TOPIC))) {
                continue;
            }
            try {
                out.add(new Dropped(Integer.parseInt(DeadLetters.header(h, DeadLetters.SOURCE_PARTITION)),
                        Long.parseLong(DeadLetters.header(h, DeadLetters.SOURCE_OFFSET))));
            } catch (NumberFormatException | NullPointerException e) {
                // no usable source: cannot be matched to an input, so it is judged as usual
            }
        }
        return out;
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
