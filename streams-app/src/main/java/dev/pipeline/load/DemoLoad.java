package dev.pipeline.load;

import dev.pipeline.config.PipelineConfig;
import dev.pipeline.kafka.serde.SerdeFactory;
import dev.pipeline.kafka.TopicReadiness;
import dev.pipeline.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small steady load {@code run} produces so the dashboard shows life: the same generator as
 * {@code produce}, on one thread per input topic, at {@code demo.rate} records/s each, with a
 * trickle of duplicates and malformed records so the drop counters move too. Runs until closed.
 */
public final class DemoLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoLoad.class);
    /** demo.rate = -1: this rate with the embedded broker, off against a given cluster. */
    public static final int EMBEDDED_DEFAULT_RATE = 50;
    static final double DUPLICATES = 0.01;
    static final double MALFORMED = 0.002;
    private static final int IN_FLIGHT = 1_000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<byte[], byte[]> producer;
    private final List<LoadGenerator<?>> generators = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private DemoLoad(KafkaProducer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /** The records/s {@code run} should use for a {@code demo.rate} setting. */
    public static double rateFor(int demoRate, boolean embeddedBroker) {
        return demoRate >= 0 ? demoRate : embeddedBroker ? EMBEDDED_DEFAULT_RATE : 0;
    }

    /**
     * Starts producing to both input topics; {@code ratePerSecond <= 0} starts nothing.
     *
     * @param config must carry bootstrap servers (the embedded broker's, once started)
     */
    public static DemoLoad start(PipelineConfig config, Topics topics, SerdeFactory serdes, double ratePerSecond) {
        if (ratePerSecond <= 0) {
            return new DemoLoad(null);
        }
        awaitWritable(config, topics);
        DemoLoad demo = new DemoLoad(LoadProducers.create(config.kafkaClientProps(), "pipeline-demo-load"));
        try {
            long seed = System.nanoTime();
            for (LoadKind kind : LoadKind.values()) {
                LoadOptions options = new LoadOptions(Long.MAX_VALUE, ratePerSecond, DUPLICATES, MALFORMED,
                        kind == LoadKind.LOGS ? 12 : 200, IN_FLIGHT, seed + kind.ordinal());
                demo.launch(kind, LoadGenerator.of(demo.producer, kind.topic(topics),
                        kind.generator(options.seed(), options.keys(), System::currentTimeMillis), serdes,
                        CorpusMalformedRecords.forKind(kind, topics, serdes), options, LoadClock.SYSTEM));
            }
        } catch (RuntimeException e) {
            demo.close();
            throw e;
        }
        LOG.info("Demo load: {} records/s to each of {} and {}", ratePerSecond, topics.logsRaw(), topics.orders());
        return demo;
    }

    /** Topics the app has just created may not take writes yet (see {@link TopicReadiness}). */
    private static void awaitWritable(PipelineConfig config, Topics topics) {
        try (Admin admin = Admin.create(new HashMap<>(config.kafkaClientProps()))) {
            TopicReadiness.await(admin, List.of(topics.logsRaw(), topics.orders()), READY_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the input topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("demo load: input topics not writable: " + e.getMessage(), e);
        }
    }

    private void launch(LoadKind kind, LoadGenerator<?> generator) {
        Thread t = new Thread(() -> {
            try {
                generator.run(LoadProgress.NONE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("Demo load for {} stopped: {}", kind.label(), e.toString());
            }
        }, "demo-load-" + kind.label());
        t.setDaemon(true);
        generators.add(generator);
        threads.add(t);
        t.start();
    }

    /** Counts so far, one line per topic (for logs and tests). */
    public List<LoadSummary> summaries() {
        return generators.stream().map(LoadGenerator::snapshot).toList();
    }

    public boolean running() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /** Stops the generator threads, waits for them (bounded), then closes the producer. */
    @Override
    public void close() {
        generators.forEach(LoadGenerator::stop);
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (producer != null) {
            producer.close(CLOSE_TIMEOUT);
            summaries().forEach(s -> LOG.info("Demo load stopped: {}", s.line()));
        }
    }
}
