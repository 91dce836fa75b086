package dev.pipeline.logs;

/** An event removed by DROP_OLDEST, with what its dead-letter record needs. */
record Evicted(String service, byte[] event, long recordTs, int partition, long offset) {}
