package dev.pipeline.testing;

import java.util.Set;
import java.util.stream.Collectors;

/** Thread snapshots for leak checks: what a component started must be gone after close(). */
public final class Threads {
    private Threads() {}

    public static Set<Thread> liveNonDaemon() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon()).collect(Collectors.toSet());
    }

    /** Non-daemon threads alive now that were not in {@code before}, by name. */
    public static Set<String> startedSince(Set<Thread> before) {
        return liveNonDaemon().stream().filter(t -> !before.contains(t)).map(Thread::getName)
                .filter(name -> !name.startsWith("awaitility")) // the test's own poller
                .collect(Collectors.toSet());
    }
}
