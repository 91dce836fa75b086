package dev.pipeline.logs;

import org.apache.kafka.streams.errors.StreamsException;

/**
 * Thrown by the buffer under {@link dev.pipeline.config.OverflowPolicy#FAIL}. A processing exception handler that
 * continues on errors must let this one fail, or FAIL quietly becomes a drop.
 */
public final class BufferFullException extends StreamsException {
    private static final long serialVersionUID = 1L;

    public BufferFullException(String message) {
        super(message);
    }
}
