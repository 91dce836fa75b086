package dev.pipeline.observe;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Everything the lag monitor knew after one sample; immutable, safe to hand to any thread. */
public record LagSnapshot(Instant at, List<GroupLag> groups) {
    public LagSnapshot {
        groups = List.copyOf(groups);
    }

    public static LagSnapshot empty() {
        return new LagSnapshot(Instant.EPOCH, List.of());
    }

    public Optional<GroupLag> group(String name) {
        return groups.stream().filter(g -> g.group().equals(name)).findFirst();
    }

    /** Only the named groups (all when {@code names} is empty), for `lag --group` and /api/lag?group=. */
    public LagSnapshot only(List<String> names) {
        return names.isEmpty() ? this
                : new LagSnapshot(at, groups.stream().filter(g -> names.contains(g.group())).toList());
    }
}
