package dev.pipeline.orders;

import dev.pipeline.observe.MetricNames;
import dev.pipeline.observe.PipelineMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the tasks of one orders pipeline share when payment authorization is on: the settings, the
 * circuit breaker ({@code pipeline_circuit_state{pipeline="orders"}} when no other breaker of the
 * pipeline owns the gauge), the parked-size gauges and how a task gets its {@link Authorizer}.
 * Each task opens its own {@link ParkingLot} (own store, own workers) with {@link #open}.
 */
final class Parking {
    final AuthorizationSettings settings;
    private final PipelineMetrics metrics;
    private final Function<String, Authorizer> authorizers;
    private final CircuitBreaker breaker;
    final ParkedSizes sizes = new ParkedSizes();

    /** @param authorizers the authorizer of a task, by task id (closed with the task) */
    Parking(AuthorizationSettings settings, PipelineMetrics metrics, Function<String, Authorizer> authorizers) {
        this.settings = settings;
        this.metrics = metrics;
        this.authorizers = authorizers;
        this.breaker = CircuitBreaker.of(MetricNames.PIPELINE_ORDERS + "-authorization", settings.breakerConfig());
        if (metrics.registry().find(MetricNames.CIRCUIT_STATE).tag(MetricNames.TAG_PIPELINE, MetricNames.PIPELINE_ORDERS)
                .gauge() == null) {
            metrics.gauge(MetricNames.CIRCUIT_STATE, MetricNames.PIPELINE_ORDERS, () -> switch (breaker.getState()) {
                case CLOSED, DISABLED, METRICS_ONLY -> 0;
                case HALF_OPEN -> 1;
                case OPEN, FORCED_OPEN -> 2;
            });
        }
    }

    /** The real authorizer: HTTP, one client per task (its calls bounded by the task's {@link AuthorizationCalls}). */
    static Function<String, Authorizer> http(AuthorizationSettings s) {
        return task -> new HttpAuthorizer(s.url(), s.timeoutMs());
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    /** The task's lot over its restored parking store, its index rebuilt. */
    ParkingLot open(ProcessorContext<?, ?> ctx, ParkingLot.Judge judge, int scanMax) {
        KeyValueStore<String, List<ParkedEvent>> store = ctx.getStateStore(OrdersPipeline.PARKED_STORE);
        AuthorizationCalls calls = new AuthorizationCalls(authorizers.apply(ctx.taskId().toString()), breaker,
                metrics.externalCall(MetricNames.PIPELINE_ORDERS), settings.maxInFlight());
        ParkingLot lot = new ParkingLot(settings, store, calls, judge, metrics, MetricNames.PIPELINE_ORDERS, scanMax,
                sizes.share());
        lot.init();
        return lot;
    }

    /** The {@code pipeline_parked_records} / {@code _keys} gauges: the sum over this instance's tasks. */
    static final class ParkedSizes {
        private final Map<Share, long[]> shares = new ConcurrentHashMap<>();

        final class Share {
            void set(long records, long keys) {
                shares.put(this, new long[] {records, keys});
            }

            void close() {
                shares.remove(this);
            }
        }

        Share share() {
            return new Share();
        }

        long records() {
            return shares.values().stream().mapToLong(v -> v[0]).sum();
        }

        long keys() {
            return shares.values().stream().mapToLong(v -> v[1]).sum();
        }
    }
}
