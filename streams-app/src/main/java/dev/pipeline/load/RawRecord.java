package dev.pipeline.load;

/** Key and value bytes exactly as they go on the wire (either may be null). */
public record RawRecord(byte[] key, byte[] value) {}
