package dev.pipeline.policy;

import dev.pipeline.config.ErrorPolicy;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output record could not be serialized or written. The dead-letter record carries the bytes
 * of the input record that produced it (what a replay needs), or, for output of a punctuator
 * (no input record), the failed output's own bytes. Reason {@link DropReason#PRODUCTION}, or
 * {@link DropReason#RETRIES_EXHAUSTED} for a retriable error: the producer retries those itself
 * (bounded by {@code delivery.timeout.ms}) before it reports them, so here they are exhausted.
 * Then {@code errors.production.policy} decides.
 *
 * <p>The record was already counted as {@code out} by the pipeline's ledger when it was
 * forwarded; this drop is visible in the reason counters and the DLQ, not in the ledger. A failed
 * write of a dead-letter record itself cannot be dead-lettered again: it is logged at ERROR and
 * counted as dropped {@code production} (not as dead-lettered).
 */
public class DeadLetterProductionHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
    private ExceptionHandling.Settings settings;

    @Override
    public void configure(Map<String, ?> configs) {
        settings = ExceptionHandling.settings(configs, getClass());
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (settings.deadLetterTopic().equals(record.topic())) {
            settings.recorder().countLost(DropReason.PRODUCTION);
            LOG.error("[{}] could not write a dead-letter record (source {}-{}@{}); it is lost", settings.pipeline(),
                    context.topic(), context.partition(), context.offset(), exception);
            return respond(List.of());
        }
        DropReason reason = exception instanceof RetriableException ? DropReason.RETRIES_EXHAUSTED : DropReason.PRODUCTION;
        boolean fromSource = context.sourceRawKey() != null || context.sourceRawValue() != null;
        return drop(reason, context, fromSource ? context.sourceRawKey() : record.key(),
                fromSource ? context.sourceRawValue() : record.value(), exception);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
            SerializationExceptionOrigin origin) {
        return drop(DropReason.PRODUCTION, context, context.sourceRawKey(), context.sourceRawValue(), exception);
    }

    private Response drop(DropReason reason, ErrorHandlerContext context, byte[] key, byte[] value, Exception exception) {
        settings.recorder().count(reason);
        settings.recorder().log(reason, ExceptionHandling.source(context), exception);
        return respond(ExceptionHandling.deadLetter(settings, reason, key, value, context, exception));
    }

    private Response respond(List<ProducerRecord<byte[], byte[]>> dlq) {
        return settings.production() == ErrorPolicy.FAIL ? Response.fail(dlq) : Response.resume(dlq);
    }
}
