package dev.pipeline.policy;

import dev.pipeline.config.ErrorPolicy;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A processor threw while processing a record: the record's original bytes go to the dead-letter
 * topic with reason {@link DropReason#PROCESSING}, or the reason of a
 * {@link RecordRejectedException} the processor threw (reasons that are only counted, like
 * {@code duplicate}, get no DLQ record); then {@code errors.processing.policy} decides.
 *
 * <p>A punctuator that throws has no record to dead-letter: it is logged at ERROR, nothing is
 * counted as dropped (whatever it lost shows up in the conservation check), and the policy decides.
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
    private ExceptionHandling.Settings settings;

    @Override
    public void configure(Map<String, ?> configs) {
        settings = ExceptionHandling.settings(configs, getClass());
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        boolean fail = settings.processing() == ErrorPolicy.FAIL;
        if (record == null) {
            LOG.error("[{}] punctuation failed in task {} processor {} (policy {})", settings.pipeline(),
                    context.taskId(), context.processorNodeId(), settings.processing(), exception);
            return fail ? Response.fail() : Response.resume();
        }
        DropReason reason = RecordRejectedException.find(exception).map(RecordRejectedException::reason)
                .orElse(DropReason.PROCESSING);
        settings.recorder().count(reason);
        settings.recorder().log(reason, ExceptionHandling.source(context), exception);
        List<ProducerRecord<byte[], byte[]>> dlq = reason.toDeadLetterTopic()
                ? ExceptionHandling.deadLetter(settings, reason, context.sourceRawKey(), context.sourceRawValue(),
                        context, exception)
                : List.of();
        return fail ? Response.fail(dlq) : Response.resume(dlq);
    }
}
