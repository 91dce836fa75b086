package dev.pipeline.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The samples of the last {@code window}, oldest first, at most {@code capacity} of them, so the
 * memory it holds does not depend on how long the process runs or how often something samples.
 * Thread safe: one thread adds while HTTP threads read.
 */
public final class SampleRing<T> {
    /** One sample and when it was taken. */
    public record Timed<T>(Instant at, T value) {}

    // a misconfigured tiny interval must not turn the bound into a large allocation
    private static final int MAX_CAPACITY = 10_000;

    private final Duration window;
    private final int capacity;
    private final ArrayDeque<Timed<T>> samples = new ArrayDeque<>();

    /** Room for one sample per {@code interval} over {@code window}, plus the one at its start. */
    public static <T> SampleRing<T> over(Duration window, Duration interval) {
        long perWindow = window.toMillis() / Math.max(1, interval.toMillis()) + 1;
        return new SampleRing<>(window, (int) Math.min(MAX_CAPACITY, perWindow));
    }

    public SampleRing(Duration window, int capacity) {
        if (window.isNegative() || window.isZero() || capacity < 1) {
            throw new IllegalArgumentException("window must be positive and capacity at least 1: " + window + ", " + capacity);
        }
        this.window = window;
        this.capacity = capacity;
    }

    public synchronized void add(Instant at, T value) {
        // a wall clock stepped back would put this sample before the newest: start over rather
        // than hand readers a series that goes back in time
        if (!samples.isEmpty() && at.isBefore(samples.peekLast().at())) {
            samples.clear();
        }
        samples.addLast(new Timed<>(at, value));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
        dropOlderThan(at.minus(window));
    }

    /** The samples taken within {@code window} before {@code now}, oldest first. */
    public synchronized List<Timed<T>> within(Instant now) {
        dropOlderThan(now.minus(window));
        return List.copyOf(samples);
    }

    public int capacity() {
        return capacity;
    }

    private void dropOlderThan(Instant oldest) {
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(oldest)) {
            samples.removeFirst();
        }
    }
}
