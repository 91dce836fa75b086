package dev.pipeline.orders;

/** Time arithmetic that cannot overflow: a deadline "never" is {@link Long#MAX_VALUE}, not a negative number. */
final class Times {
    private Times() {}

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
