package dev.pipeline.load;

import dev.pipeline.kafka.serde.SerdeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Sends {@link LoadOptions#count()} generated events to one topic at a paced rate, with
 * duplicates and malformed records mixed in on request.
 *
 * <p>Backpressure: at most {@link LoadOptions#maxInFlight()} records are sent and not yet
 * acknowledged; beyond that the loop waits for acks. With the producer's bounded
 * {@code buffer.memory} and {@code max.block.ms} (see {@link LoadProducers}), a slow broker slows
 * the generator down instead of growing its memory.
 */
public final class LoadGenerator<V extends SpecificRecord> {
    private static final int RECENT_FOR_DUPLICATES = 1024;
    private static final long PROGRESS_EVERY_NANOS = 100_000_000L;

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final EventGenerator<V> events;
    private final Serializer<V> serializer;
    private final MalformedRecords malformed;
    private final LoadOptions options;
    private final LoadClock clock;
    private final TokenBucket bucket;
    private final Semaphore inFlight;
    private final Random faults;
    private final RecentRecords recent = new RecentRecords(RECENT_FOR_DUPLICATES);
    private final LoadStats stats;
    private volatile boolean stopped;

    public LoadGenerator(Producer<byte[], byte[]> producer, String topic, EventGenerator<V> events,
            Serializer<V> serializer, MalformedRecords malformed, LoadOptions options, LoadClock clock) {
        this.producer = producer;
        this.topic = topic;
        this.events = events;
        this.serializer = serializer;
        this.malformed = malformed;
        this.options = options;
        this.clock = clock;
        this.bucket = TokenBucket.forRate(options.ratePerSecond(), clock);
        this.inFlight = new Semaphore(options.maxInFlight());
        // a different stream from the content's, so --duplicates does not change the events themselves
        this.faults = new Random(options.seed() * 31 + 17);
        this.stats = new LoadStats(topic);
    }

    /** A generator whose values are serialized with the app's serde for the event type. */
    public static <V extends SpecificRecord> LoadGenerator<V> of(Producer<byte[], byte[]> producer, String topic,
            EventGenerator<V> events, SerdeFactory serdes, MalformedRecords malformed, LoadOptions options, LoadClock clock) {
        Serializer<V> serializer = serdes.valueSerde(events.valueType()).serializer();
        return new LoadGenerator<>(producer, topic, events, serializer, malformed, options, clock);
    }

    /**
     * Runs to the end (or until {@link #stop()}), waits for every ack, and returns the summary.
     *
     * @throws InterruptedException if interrupted while pacing or waiting for acks; sends already
     *     made still complete in the producer
     */
    public LoadSummary run(LoadProgress progress) throws InterruptedException {
        // connect and fetch the topic's metadata before the clock starts (bounded by max.block.ms)
        producer.partitionsFor(topic);
        stats.start(clock.nanoTime());
        long lastProgress = clock.nanoTime();
        for (long i = 0; i < options.count() && !stopped; i++) {
            sendOne();
            long now = clock.nanoTime();
            if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
                lastProgress = now;
                progress.update(stats.snapshot(now));
            }
        }
        try {
            producer.flush();
        } catch (InterruptException e) {
            throw new InterruptedException("interrupted while flushing to " + topic);
        }
        awaitAllAcks(Duration.ofMinutes(2));
        stats.finish(clock.nanoTime());
        LoadSummary summary = stats.snapshot(clock.nanoTime());
        progress.update(summary);
        return summary;
    }

    /** Ends {@link #run} after the record being sent; pair with an interrupt to cut a wait short. */
    public void stop() {
        stopped = true;
    }

    /** The counts so far (safe from any thread). */
    public LoadSummary snapshot() {
        return stats.snapshot(clock.nanoTime());
    }

    private void sendOne() throws InterruptedException {
        GeneratedEvent<V> e = events.next();
        RawRecord valid = new RawRecord(e.key().getBytes(StandardCharsets.UTF_8), serializer.serialize(topic, e.value()));
        send(valid, false, false);
        recent.add(valid);
        if (options.duplicates() > 0 && faults.nextDouble() < options.duplicates()) {
            send(recent.pick(faults), true, false);
        }
        if (options.malformed() > 0 && faults.nextDouble() < options.malformed()) {
            send(malformed.next(faults, valid), false, true);
        }
    }

    private void send(RawRecord r, boolean duplicate, boolean bad) throws InterruptedException {
        bucket.acquire(1);
        inFlight.acquire();
        long t0 = clock.nanoTime();
        stats.sent(duplicate, bad);
        try {
            producer.send(new ProducerRecord<>(topic, null, r.key(), r.value()), (md, ex) -> {
                inFlight.release();
                if (ex == null) {
                    stats.acked(clock.nanoTime() - t0);
                } else {
                    stats.failed(ex);
                }
            });
        } catch (InterruptException ex) {
            inFlight.release();
            throw new InterruptedException("interrupted while sending to " + topic);
        } catch (KafkaException | IllegalStateException ex) {
            // thrown (not passed to the callback) when the producer is closed or fenced
            inFlight.release();
            stats.failed(ex);
        }
    }

    private void awaitAllAcks(Duration bound) throws InterruptedException {
        if (inFlight.tryAcquire(options.maxInFlight(), bound.toMillis(), TimeUnit.MILLISECONDS)) {
            inFlight.release(options.maxInFlight());
        }
    }
}
