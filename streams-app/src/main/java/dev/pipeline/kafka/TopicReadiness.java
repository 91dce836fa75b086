package dev.pipeline.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until topics freshly created (by {@link TopicProvisioner} or a command) can take writes.
 * Right after creation the controller has assigned a leader that may not serve the partition yet;
 * an idempotent producer's first batch then gets NOT_LEADER_OR_FOLLOWER while later in-flight
 * batches land, and the retried first batch is refused with OUT_OF_ORDER_SEQUENCE_NUMBER until
 * delivery times out (seen on the embedded 4.3.1 broker). Listing offsets is answered by the
 * leader itself, so once it succeeds for every partition, producing is safe.
 */
public final class TopicReadiness {
    private static final long RETRY_NANOS = 50_000_000L;

    private TopicReadiness() {}

    public static void await(Admin admin, Collection<String> topics, long timeoutMs)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<String, TopicDescription> described = retry(deadline, () ->
                admin.describeTopics(topics).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS));
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        described.values().forEach(d -> d.partitions().forEach(p ->
                specs.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        retry(deadline, () -> admin.listOffsets(specs).all().get(timeoutMs, TimeUnit.MILLISECONDS));
    }

    private interface Call<T> {
        T call() throws ExecutionException, InterruptedException, TimeoutException;
    }

    private static <T> T retry(long deadline, Call<T> call) throws InterruptedException, TimeoutException {
        while (true) {
            try {
                return call.call();
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("topics not ready: " + e.getCause());
                }
                LockSupport.parkNanos(RETRY_NANOS); // metadata not propagated yet
            }
        }
    }
}
