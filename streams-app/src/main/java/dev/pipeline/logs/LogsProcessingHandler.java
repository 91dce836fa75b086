package dev.pipeline.logs;

import dev.pipeline.policy.DeadLetterProcessingHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy's processing handler, except for {@link BufferFullException}: the FAIL overflow
 * policy must stop the pipeline even when {@code errors.processing.policy} continues past
 * failures, and the record must not be dead-lettered (it is not lost: it was not committed, so
 * it is read again after a restart).
 */
public class LogsProcessingHandler extends DeadLetterProcessingHandler {
    private static final Logger LOG = LoggerFactory.getLogger(LogsProcessingHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        for (Throwable c = exception; c != null; c = c.getCause()) {
            if (c instanceof BufferFullException full) {
                LOG.error("[logs] {} (task {}, {}-{}@{})", full.getMessage(), context.taskId(), context.topic(),
                        context.partition(), context.offset());
                return Response.fail();
            }
        }
        return super.handleError(context, record, exception);
    }
}
