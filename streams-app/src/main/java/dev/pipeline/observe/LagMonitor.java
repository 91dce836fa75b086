package dev.pipeline.observe;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer lag of the watched groups, per partition, in records and in seconds, with a
 * Burrow-style {@link LagStatus} judged over a sliding window ({@link LagWindow}).
 *
 * <p>Each sample: committed offsets ({@code Admin.listConsumerGroupOffsets}), partitions of the
 * targets' topics ({@code describeTopics}), end offsets ({@code listOffsets latest}, the high
 * watermark) and, for partitions without a commit, the log start ({@code earliest}). Lag in
 * records = end − committed. Lag in seconds = now − timestamp of the oldest unconsumed record,
 * read at the committed offset and cached until it moves ({@link OffsetTimestamps}); it is the
 * age of the record, so it uses the producer's clock (CreateTime) and is clamped at 0.
 *
 * <p>Runs on one thread of its own after {@link #start()}, or sample by sample through
 * {@link #refreshNow()} (the {@code lag} command). Every cluster call is bounded by
 * {@code lag.admin.timeout.ms}; a failed sample marks the groups {@link LagStatus#ERR} with the
 * last known values and the next sample tries again, so an unreachable broker never stops it.
 */
public final class LagMonitor implements AutoCloseable, MeterBinder {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);
    /** Client id of the monitor's Admin and consumer, and the name of its thread. */
    public static final String CLIENT_ID = "lag-monitor";

    private final List<LagTarget> targets;
    private final LagSettings settings;
    private final Clock clock;
    private final Admin admin;
    private final OffsetTimestamps timestamps;
    private final Map<String, Map<TopicPartition, LagWindow>> windows = new HashMap<>();
    private final List<Consumer<LagSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;
    private volatile LagSnapshot latest = LagSnapshot.empty();
    private volatile boolean closed;

    /**
     * @param clientProps settings for the Kafka clients (bootstrap servers, security); the monitor
     *                    adds its own timeouts, client id and deserializers
     */
    public LagMonitor(Map<String, ?> clientProps, List<LagTarget> targets, LagSettings settings) {
        this(clientProps, targets, settings, Clock.systemUTC());
    }

    LagMonitor(Map<String, ?> clientProps, List<LagTarget> targets, LagSettings settings, Clock clock) {
        this.targets = List.copyOf(targets);
        this.settings = settings;
        this.clock = clock;
        this.admin = Admin.create(LagClients.adminProps(clientProps, settings));
        this.timestamps = new OffsetTimestamps(new KafkaConsumer<>(LagClients.consumerProps(clientProps, settings),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, CLIENT_ID);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts sampling every {@code lag.poll.interval.ms} on the monitor's own thread. */
    public void start() {
        long every = settings.pollInterval().toMillis();
        executor.scheduleWithFixedDelay(this::sampleQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The result of the latest sample ({@link LagSnapshot#empty()} before the first). */
    public LagSnapshot snapshot() {
        return latest;
    }

    public List<LagTarget> targets() {
        return targets;
    }

    /** Called with every new snapshot, on the sampling thread; keep it quick. */
    public void addListener(Consumer<LagSnapshot> listener) {
        listeners.add(listener);
    }

    /** Registers the {@code pipeline_consumer_lag_*} gauges, updated after every sample. */
    @Override
    public void bindTo(MeterRegistry registry) {
        LagGauges gauges = new LagGauges(registry);
        gauges.accept(latest);
        addListener(gauges);
    }

    /** Takes one sample now, on the caller's thread, and returns it. Never throws for cluster trouble. */
    public synchronized LagSnapshot refreshNow() {
        if (closed) {
            return latest;
        }
        LagSnapshot s = sample();
        for (Consumer<LagSnapshot> l : listeners) {
            l.accept(s);
        }
        // published after the listeners: whoever sees this snapshot also sees the gauges and history it fed
        latest = s;
        return s;
    }

    private void sampleQuietly() {
        try {
            refreshNow();
        } catch (RuntimeException e) {
            // a bug here must not end the schedule (an exception would cancel it silently)
            LOG.warn("lag sample failed unexpectedly", e);
        }
    }

    private LagSnapshot sample() {
        long now = clock.millis();
        Map<String, GroupLag> result = new LinkedHashMap<>();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new LinkedHashMap<>();
        Map<String, Set<TopicPartition>> expected;
        try {
            fetchCommitted(committed, result);
            expected = partitionsOfTargets();
        } catch (ClusterException e) {
            return failAll(now, e.getMessage());
        }
        Set<TopicPartition> all = new HashSet<>();
        Set<TopicPartition> uncommitted = new HashSet<>();
        for (LagTarget t : targets) {
            if (result.containsKey(t.group())) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> c = committed.get(t.group());
            all.addAll(c.keySet());
            for (TopicPartition tp : expected.getOrDefault(t.group(), Set.of())) {
                all.add(tp);
                if (!c.containsKey(tp)) {
                    uncommitted.add(tp);
                }
            }
        }
        Map<TopicPartition, Long> ends;
        Map<TopicPartition, Long> starts;
        try {
            ends = listOffsets(all, OffsetSpec.latest());
            starts = listOffsets(uncommitted, OffsetSpec.earliest());
        } catch (ClusterException e) {
            return failAll(now, e.getMessage());
        }
        Map<TopicPartition, OffsetTimestamps.Range> lagging = new HashMap<>();
        Map<String, Map<TopicPartition, Long>> fromOffsets = new HashMap<>();
        for (LagTarget t : targets) {
            if (result.containsKey(t.group())) {
                continue;
            }
            Map<TopicPartition, Long> from = new HashMap<>();
            committed.get(t.group()).forEach((tp, om) -> from.put(tp, om.offset()));
            expected.getOrDefault(t.group(), Set.of()).stream().filter(starts::containsKey)
                    .forEach(tp -> from.putIfAbsent(tp, starts.get(tp)));
            from.keySet().retainAll(ends.keySet());
            from.forEach((tp, off) -> {
                if (ends.get(tp) > off) {
                    // several groups on one partition: look up the oldest position (others hit the cache next time)
                    lagging.merge(tp, new OffsetTimestamps.Range(off, ends.get(tp)),
                            (a, b) -> a.from() <= b.from() ? a : b);
                }
            });
            fromOffsets.put(t.group(), from);
        }
        Map<TopicPartition, OffsetTimestamps.Entry> ts = timestamps.lookup(lagging,
                settings.maxTimestampFetches(), settings.adminTimeout());
        for (LagTarget t : targets) {
            if (!result.containsKey(t.group())) {
                result.put(t.group(), judge(t.group(), now, committed.get(t.group()), fromOffsets.get(t.group()), ends, ts));
            }
        }
        return new LagSnapshot(clock.instant(), List.copyOf(result.values()));
    }

    private GroupLag judge(String group, long now, Map<TopicPartition, OffsetAndMetadata> committed,
                           Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends,
                           Map<TopicPartition, OffsetTimestamps.Entry> ts) {
        Map<TopicPartition, LagWindow> groupWindows = windows.computeIfAbsent(group, g -> new HashMap<>());
        groupWindows.keySet().retainAll(from.keySet());
        List<PartitionLag> partitions = new ArrayList<>();
        LagStatus worst = LagStatus.OK;
        for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
            TopicPartition tp = e.getKey();
            long end = ends.get(tp);
            long lag = Math.max(0, end - e.getValue());
            OffsetTimestamps.Entry entry = lag == 0 ? null : ts.get(tp);
            Double seconds = lag == 0 ? Double.valueOf(0)
                    : entry == null || entry.from() != e.getValue() ? null
                    : entry.noData() ? Double.valueOf(0)
                    : Double.valueOf(Math.max(0, now - entry.timestampMs()) / 1000.0);
            boolean pending = lag > 0 && (entry == null || !entry.noData());
            OffsetAndMetadata c = committed.get(tp);
            Long committedOffset = c == null ? null : c.offset();
            LagStatus status = groupWindows.computeIfAbsent(tp, k -> new LagWindow(settings.windowSize(), now))
                    .add(new LagWindow.Sample(now, committedOffset, end, lag, pending), settings.stopAfter().toMillis());
            worst = worst.worst(status);
            partitions.add(new PartitionLag(tp.topic(), tp.partition(), committedOffset, end, lag, seconds, status));
        }
        partitions.sort(Comparator.comparing(PartitionLag::topic).thenComparingInt(PartitionLag::partition));
        return new GroupLag(group, worst, null, partitions);
    }

    private void fetchCommitted(Map<String, Map<TopicPartition, OffsetAndMetadata>> out, Map<String, GroupLag> failed)
            throws ClusterException {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        targets.forEach(t -> specs.put(t.group(), new ListConsumerGroupOffsetsSpec()));
        ListConsumerGroupOffsetsResult r = admin.listConsumerGroupOffsets(specs,
                new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs()));
        for (LagTarget t : targets) {
            try {
                Map<TopicPartition, OffsetAndMetadata> m = await(r.partitionsToOffsetAndMetadata(t.group()));
                Map<TopicPartition, OffsetAndMetadata> present = new HashMap<>();
                m.forEach((tp, om) -> {
                    if (om != null) {
                        present.put(tp, om);
                    }
                });
                out.put(t.group(), present);
            } catch (GroupFailure e) {
                if (e.getCause() instanceof GroupIdNotFoundException) {
                    out.put(t.group(), Map.of());
                } else {
                    failed.put(t.group(), errorGroup(t.group(), e.getCause().toString()));
                }
            }
        }
    }

    private Map<String, Set<TopicPartition>> partitionsOfTargets() throws ClusterException {
        Set<String> topics = new HashSet<>();
        targets.forEach(t -> topics.addAll(t.topics()));
        Map<String, Set<TopicPartition>> byTopic = new HashMap<>();
        if (!topics.isEmpty()) {
            Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(topics,
                    new org.apache.kafka.clients.admin.DescribeTopicsOptions().timeoutMs(timeoutMs())).topicNameValues();
            for (Map.Entry<String, KafkaFuture<TopicDescription>> f : futures.entrySet()) {
                try {
                    TopicDescription d = await(f.getValue());
                    Set<TopicPartition> tps = new HashSet<>();
                    d.partitions().forEach(p -> tps.add(new TopicPartition(d.name(), p.partition())));
                    byTopic.put(d.name(), tps);
                } catch (GroupFailure e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw new ClusterException("describe topic " + f.getKey() + ": " + e.getCause());
                    }
                    // a topic not created yet has no lag
                }
            }
        }
        Map<String, Set<TopicPartition>> out = new HashMap<>();
        for (LagTarget t : targets) {
            Set<TopicPartition> tps = new HashSet<>();
            t.topics().forEach(topic -> tps.addAll(byTopic.getOrDefault(topic, Set.of())));
            out.put(t.group(), tps);
        }
        return out;
    }

    private Map<TopicPartition, Long> listOffsets(Set<TopicPartition> tps, OffsetSpec spec) throws ClusterException {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (tps.isEmpty()) {
            return out;
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        tps.forEach(tp -> request.put(tp, spec));
        ListOffsetsResult r = admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs()));
        for (TopicPartition tp : tps) {
            try {
                out.put(tp, await(r.partitionResult(tp)).offset());
            } catch (GroupFailure e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new ClusterException("list offsets " + tp + ": " + e.getCause());
                }
                // deleted since the commit: nothing left to consume there
            }
        }
        return out;
    }

    private LagSnapshot failAll(long now, String error) {
        List<GroupLag> groups = new ArrayList<>();
        for (LagTarget t : targets) {
            groups.add(errorGroup(t.group(), error));
        }
        LOG.debug("lag sample failed: {}", error);
        return new LagSnapshot(clock.instant(), groups);
    }

    private GroupLag errorGroup(String group, String error) {
        List<PartitionLag> lastKnown = latest.group(group).map(GroupLag::partitions).orElse(List.of()).stream()
                .map(p -> p.withStatus(LagStatus.ERR)).toList();
        return new GroupLag(group, LagStatus.ERR, error, lastKnown);
    }

    private int timeoutMs() {
        return (int) settings.adminTimeout().toMillis();
    }

    /** Waits a bounded time; a failure of this one future (group, topic, partition) is a {@link GroupFailure}. */
    private <T> T await(KafkaFuture<T> f) throws GroupFailure, ClusterException {
        try {
            return f.get(settings.adminTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new ClusterException("cluster did not answer within " + settings.adminTimeout().toMillis() + " ms");
            }
            throw new GroupFailure(e.getCause());
        } catch (TimeoutException e) {
            throw new ClusterException("cluster did not answer within " + settings.adminTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted");
        }
    }

    /** The whole sample failed: every group is ERR. */
    private static final class ClusterException extends Exception {
        ClusterException(String message) {
            super(message, null, false, false);
        }
    }

    /** One group's, topic's or partition's request failed; the rest of the sample may still be good. */
    private static final class GroupFailure extends Exception {
        GroupFailure(Throwable cause) {
            super(cause);
        }
    }

    /** Stops the sampling thread and closes the clients; bounded by about twice the admin timeout. */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(settings.adminTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
                LOG.warn("lag monitor thread did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            timestamps.close();
            admin.close(Duration.ofSeconds(2));
        }
    }
}
