package dev.pipeline.policy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when told to, and a sleeper that moves it instead of waiting. */
final class FakeTime extends Clock implements GuardedCall.Sleeper {
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);
    final List<Long> sleeps = new CopyOnWriteArrayList<>();

    void advance(long ms) {
        millis.addAndGet(ms);
    }

    @Override
    public void sleep(long ms) {
        sleeps.add(ms);
        advance(ms);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
