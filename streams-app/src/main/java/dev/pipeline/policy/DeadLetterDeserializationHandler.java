package dev.pipeline.policy;

import dev.pipeline.config.ErrorPolicy;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * An input record whose key or value does not deserialize: counted and logged as
 * {@link DropReason#DESERIALIZATION}, written to the dead-letter topic as it was read, then
 * {@code errors.deserialization.policy} decides between continuing and failing. Such records
 * never reach a processor, so they are outside every task's {@link Ledger}.
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    private ExceptionHandling.Settings settings;

    @Override
    public void configure(Map<String, ?> configs) {
        settings = ExceptionHandling.settings(configs, getClass());
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        DropReason reason = DropReason.DESERIALIZATION;
        settings.recorder().count(reason);
        settings.recorder().log(reason, ExceptionHandling.source(context), exception);
        List<ProducerRecord<byte[], byte[]>> dlq = ExceptionHandling.deadLetter(settings, reason, record.key(),
                record.value(), context, exception);
        return settings.deserialization() == ErrorPolicy.FAIL ? Response.fail(dlq) : Response.resume(dlq);
    }
}
