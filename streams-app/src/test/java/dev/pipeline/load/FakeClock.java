package dev.pipeline.load;

/** A clock that moves only when someone sleeps on it: pacing tests without wall-clock timing. */
final class FakeClock implements LoadClock {
    private long now = 1_000_000_000L;
    private long slept;
    private int sleeps;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void sleepNanos(long nanos) {
        now += nanos;
        slept += nanos;
        sleeps++;
    }

    synchronized void advance(long nanos) {
        now += nanos;
    }

    synchronized long sleptNanos() {
        return slept;
    }

    synchronized int sleeps() {
        return sleeps;
    }
}
