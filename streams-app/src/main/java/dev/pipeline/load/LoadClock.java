package dev.pipeline.load;

import java.util.concurrent.TimeUnit;

/** Time as the generator sees it: a monotonic clock and a way to wait. Tests pass a fake one. */
public interface LoadClock {
    long nanoTime();

    /** Waits about {@code nanos}; interruptible so {@link DemoLoad#close()} can end a paced run at once. */
    void sleepNanos(long nanos) throws InterruptedException;

    LoadClock SYSTEM = new LoadClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };
}
