package dev.pipeline.observe;

/**
 * Every metric and label name the app exports, in one place. Names are Micrometer's dotted form;
 * the Prometheus registry renders {@code pipeline.records.in} as {@code pipeline_records_in_total}
 * for counters (it appends {@code _total}) and keeps gauges as they are.
 */
public final class MetricNames {
    private MetricNames() {}

    public static final String TAG_PIPELINE = "pipeline";
    public static final String TAG_REASON = "reason";
    public static final String TAG_GROUP = "group";
    public static final String TAG_TOPIC = "topic";
    public static final String TAG_PARTITION = "partition";
    public static final String TAG_STORE = "store";

    public static final String PIPELINE_LOGS = "logs";
    public static final String PIPELINE_ORDERS = "orders";

    // counters (Prometheus: *_total)
    public static final String RECORDS_IN = "pipeline.records.in";
    public static final String RECORDS_OUT = "pipeline.records.out";
    public static final String DROPPED_RECORDS = "pipeline.dropped.records";
    public static final String DLQ_RECORDS = "pipeline.dlq.records";
    public static final String RETRIES = "pipeline.retries";
    public static final String DUPLICATES = "pipeline.duplicates";
    public static final String CONSERVATION_VIOLATIONS = "pipeline.conservation.violations";

    // gauges
    public static final String CIRCUIT_STATE = "pipeline.circuit.state";
    public static final String BUFFER_RECORDS = "pipeline.buffer.records";
    public static final String BUFFER_BYTES = "pipeline.buffer.bytes";
    public static final String BUFFER_CAPACITY_RECORDS = "pipeline.buffer.capacity.records";
    public static final String BUFFER_CAPACITY_BYTES = "pipeline.buffer.capacity.bytes";
    /** Per pipeline and state store: the store's own entry estimate, summed over this instance's tasks. */
    /** Orders' payment authorization: events parked now, orders with parked events, call latency (timer, seconds). */
    public static final String PARKED_RECORDS = "pipeline.parked.records";
    public static final String PARKED_KEYS = "pipeline.parked.keys";
    public static final String EXTERNAL_CALL = "pipeline.external.call";
    public static final String STORE_ENTRIES = "pipeline.store.entries";
    public static final String CONSUMER_LAG_RECORDS = "pipeline.consumer.lag.records";
    public static final String CONSUMER_LAG_SECONDS = "pipeline.consumer.lag.seconds";
    /** Per group: the {@code LagStatus} ordinal (0 OK, 1 WARN, 2 STALL, 3 STOP, 4 ERR). */
    public static final String CONSUMER_LAG_STATUS = "pipeline.consumer.lag.status";
}
