package dev.pipeline.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics the app needs if they are missing. Idempotent; never alters an existing
 * topic — a partition count that differs from the configured one is reported as a warning.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {}

    /** A topic to ensure: compacted ones keep the latest value per key (the registry's schemas). */
    public record Spec(String name, int partitions, short replicationFactor, boolean compacted) {}

    /**
     * @return warnings for existing topics whose partition count differs
     * @throws ProvisioningException when the cluster does not answer within the timeout
     */
    public static List<String> ensure(Admin admin, Collection<Spec> specs, long timeoutMs) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Spec s : specs) {
                if (!existing.contains(s.name())) {
                    NewTopic t = new NewTopic(s.name(), Optional.of(s.partitions()),
                            s.replicationFactor() < 0 ? Optional.empty() : Optional.of(s.replicationFactor()));
                    if (s.compacted()) {
                        t.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(t);
                }
            }
            for (var e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.info("Created topic {}", e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex; // another instance creating it at the same time is fine
                    }
                }
            }
            // only topics that already existed can differ from their spec
            List<Spec> preexisting = specs.stream().filter(s -> existing.contains(s.name())).toList();
            return preexisting.isEmpty() ? List.of() : partitionWarnings(admin, preexisting, timeoutMs);
        } catch (TimeoutException e) {
            throw new ProvisioningException("Kafka did not answer within " + timeoutMs
                    + " ms while provisioning topics (are the bootstrap servers reachable?)", e);
        } catch (ExecutionException e) {
            throw new ProvisioningException("Provisioning topics failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("Interrupted while provisioning topics", e);
        }
    }

    private static List<String> partitionWarnings(Admin admin, Collection<Spec> specs, long timeoutMs)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, TopicDescription> described = admin.describeTopics(specs.stream().map(Spec::name).toList())
                .allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
        List<String> warnings = new ArrayList<>();
        for (Spec s : specs) {
            TopicDescription d = described.get(s.name());
            if (d != null && !s.compacted() && d.partitions().size() != s.partitions()) {
                String w = "Topic " + s.name() + " has " + d.partitions().size() + " partitions, configured "
                        + s.partitions() + "; left as it is";
                LOG.warn(w);
                warnings.add(w);
            }
        }
        return warnings;
    }

    /** The cluster could not be reached or refused; {@code run} exits 1 with this message. */
    public static final class ProvisioningException extends RuntimeException {
        public ProvisioningException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
