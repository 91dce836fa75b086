package dev.pipeline.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * The old home of the app's one mapper, kept only for the callers that still import it from here
 * ({@code logs/HttpSink}, {@code orders/HttpAuthorizer}): the same instances as
 * {@link dev.pipeline.json.Json}, not a second mapper. Delete once they import that class.
 */
public final class Json {
    public static final ObjectMapper MAPPER = dev.pipeline.json.Json.MAPPER;
    public static final ObjectWriter PRETTY = dev.pipeline.json.Json.PRETTY;

    private Json() {}
}
