package dev.pipeline.policy;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Test helper: the selector threads of {@link ExternalHttp}'s clients, and waiting for a dropped client's to end. */
public final class HttpClientThreads {
    private HttpClientThreads() {}

    public static Set<Thread> selectors() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager"))
                .collect(Collectors.toCollection(HashSet::new));
    }

    /** Java 17's HttpClient has no close(): its selector thread ends once its owner has let go of the client (and GC ran). */
    public static void awaitNoSelectorsBeyond(Set<Thread> before) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            System.gc();
            Set<Thread> now = selectors();
            now.removeAll(before);
            return now.isEmpty();
        });
    }
}
