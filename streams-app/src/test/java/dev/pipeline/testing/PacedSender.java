package dev.pipeline.testing;

import dev.pipeline.load.LoadClock;
import dev.pipeline.load.TokenBucket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The integration tests' background producer: one thread sends the records a source builds, paced
 * by the load generator's {@link TokenBucket} (so tests and {@code produce --rate} pace alike),
 * until the source runs out or {@link #stop()} is called; each acknowledged record goes to a
 * callback. {@link #close()} stops it whatever happened.
 */
public final class PacedSender<V> implements AutoCloseable {
    private final String name;
    private final Map<String, Object> producerProps;
    private final Serializer<V> values;
    private final AtomicBoolean sending = new AtomicBoolean();
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private Thread thread;

    public PacedSender(String name, Map<String, Object> producerProps, Serializer<V> values) {
        this.name = name;
        this.producerProps = producerProps;
        this.values = values;
    }

    /**
     * Starts sending {@code source.apply(n)} for n = 0, 1, … at about {@code ratePerSecond} until
     * the source returns null or {@link #stop()}.
     *
     * @return completes with the milliseconds the sending took, once the producer has flushed
     */
    public synchronized CompletableFuture<Long> start(double ratePerSecond, LongFunction<ProducerRecord<String, V>> source,
            Consumer<ProducerRecord<String, V>> onAcknowledged) {
        if (!sending.compareAndSet(false, true)) {
            throw new IllegalStateException(name + " already sending");
        }
        thread = new Thread(() -> {
            try {
                done.complete(send(ratePerSecond, source, onAcknowledged));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, name);
        thread.start();
        return done;
    }

    private long send(double ratePerSecond, LongFunction<ProducerRecord<String, V>> source,
            Consumer<ProducerRecord<String, V>> onAcknowledged) throws InterruptedException {
        TokenBucket pace = TokenBucket.forRate(ratePerSecond, LoadClock.SYSTEM);
        long start = System.nanoTime();
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(producerProps, new StringSerializer(), values)) {
            for (long n = 0; sending.get(); n++) {
                ProducerRecord<String, V> r = source.apply(n);
                if (r == null) {
                    break;
                }
                producer.send(r, (md, ex) -> {
                    if (ex == null) {
                        onAcknowledged.accept(r);
                    }
                });
                pace.acquire(1);
            }
            producer.flush();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Stops sending and waits (bounded) until what was sent is flushed. */
    public void stop() throws InterruptedException, ExecutionException, TimeoutException {
        sending.set(false);
        if (thread != null) {
            done.get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        sending.set(false);
        if (thread != null) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
