package dev.pipeline.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The app's one Jackson mapper for the JSON it serves and sends (HTTP APIs, {@code lag --json},
 * the HTTP sink's bodies), configured once so every output follows the same rules. A mapper is
 * thread-safe once configured; nothing may reconfigure it after start.
 */
public final class Json {
    /** Compact output; an empty bean is written as {@code {}} rather than failing the response. */
    public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    /** Indented output, for what people read (the HTTP routes' responses). */
    public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {}
}
