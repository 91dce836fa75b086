package dev.pipeline.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.policy.DeadLetters;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.schema.OrderResult;
import dev.pipeline.testing.ChildApp;
import dev.pipeline.testing.ChildAppsExtension;
import dev.pipeline.testing.KafkaBrokerExtension;
import dev.pipeline.testing.PacedSender;
import dev.pipeline.testing.TopicRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Payment authorization with parking on the real broker, the app as the built jar's
 * {@code run --only orders} in a child JVM under exactly_once_v2, against {@link OutageAuthorizer}
 * over HTTP: 10% of the orders get 503 for the first 20 s of the load and then recover, 2% are
 * refused with 402. Orders are CREATED, PAID, SHIPPED, sent at {@value #RATE} records/s with the
 * send time as record timestamp, so a result's timestamp (the input's) against the time it is read
 * (read_committed) is its produce-to-result latency. Afterwards every approved order must have
 * CREATED v1, PAID v2, SHIPPED v3 in that order, every refused one only CREATED and its PAID in the
 * DLQ as {@code rejected} with the bytes sent, and the verifier nothing missing or duplicated. The
 * second test SIGKILLs the app twice while events are parked and restarts it on the same state dir
 * (its outage runs until 20 s after the first restart, so the second kill finds events parked too).
 */
@Tag("integration")
@ExtendWith(KafkaBrokerExtension.class)
class ParkingIT {
    private static final Logger LOG = LoggerFactory.getLogger(ParkingIT.class);
    private static final int ORDERS = 4_000;
    /** Steps between an order's CREATED and its PAID, and between its PAID and its SHIPPED. */
    private static final int GAP = 40;
    /** Records/s: ~170 orders/s, the 20 s outage inside the ~24 s of load; low enough for a busy 2-core CI machine. */
    private static final int RATE = 500;
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final long PAYMENT_TIMEOUT_MS = 30L * 60 * 1000;
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Pattern PARKED = Pattern.compile("\"parkedRecords\"\\s*:\\s*(\\d+)");

    /** The registry and clients, shared by the class's tests; the children, killed after each test. */
    @RegisterExtension
    static final ChildAppsExtension<OrdersCluster> APPS =
            new ChildAppsExtension<>(broker -> new OrdersCluster(broker.bootstrapServers()));
    private final OutageAuthorizer authorizer;

    @TempDir
    Path tmp;

    ParkingIT() throws java.io.IOException {
        authorizer = new OutageAuthorizer();
    }

    @AfterEach
    void stopAuthorizer() {
        authorizer.close();
    }

    @Test
    void shouldParkOnlyTheFailingOrdersAndApplyEveryApprovedOrderInOrder() throws Exception {
        Run run = run(new OrdersCluster.Names("parking"), 0);

        ResultReader.Latencies unaffected = run.results().latencies(false, run.outageEndsAtMs());
        ResultReader.Latencies affected = run.results().latencies(true, run.outageEndsAtMs());
        LOG.info("[parking] produce->result latency while parked: unaffected {} / affected {}", unaffected, affected);
        System.out.printf("ParkingIT latency while the failing orders were parked: unaffected %s, affected %s%n",
                unaffected, affected);
        for (long from = run.outageEndsAtMs() - OUTAGE.toMillis(); from < run.outageEndsAtMs(); from += 5_000) {
            System.out.printf("  sent %2d-%2d s into the outage: unaffected %s, affected %s%n",
                    (from - run.outageEndsAtMs() + OUTAGE.toMillis()) / 1_000, (from - run.outageEndsAtMs() + OUTAGE.toMillis()) / 1_000 + 5,
                    run.results().latencies(false, from, from + 5_000), run.results().latencies(true, from, from + 5_000));
        }
        assertThat(affected.count()).as("parked results measured").isPositive();
        assertThat(unaffected.count()).isGreaterThan(affected.count());
        // generous on purpose: on a quiet machine the unaffected p99 is well below a second, on a
        // shared 2-core CI machine the app's own lag behind the offered rate dominates it; what
        // must hold everywhere is that no unaffected order waits for the outage
        assertThat(unaffected.p99Ms()).as("unaffected p99, ms: below the outage").isLessThan(OUTAGE.toMillis() - 2_000);
        assertThat(unaffected.p50Ms()).as("unaffected p50 well below the parked orders'")
                .isLessThan(affected.p50Ms() / 2);
    }

    @Test
    void shouldLoseAndRepeatNothingWhenKilledTwiceWhileEventsAreParked() throws Exception {
        Run run = run(new OrdersCluster.Names("parking-kill"), 2);
        LOG.info("[parking-kill] latency (with two restarts): unaffected {} / affected {}",
                run.results().latencies(false, run.outageEndsAtMs()), run.results().latencies(true, run.outageEndsAtMs()));
        assertThat(run.kills()).isEqualTo(2);
        assertThat(run.parkedAtKills()).allSatisfy(n -> assertThat(n).isPositive());
    }

    record Run(ResultReader results, long outageEndsAtMs, int kills, List<Long> parkedAtKills) {}

    /** One scenario end to end, with {@code kills} SIGKILLs while events are parked; asserts what every run must hold. */
    private Run run(OrdersCluster.Names names, int kills) throws Exception {
        long t0 = System.nanoTime();
        cluster().createTopics(names);
        Map<String, String> env = new HashMap<>(cluster().childEnv(names, StreamsConfig.EXACTLY_ONCE_V2, PAYMENT_TIMEOUT_MS));
        env.put("PIPELINE_ORDERS_AUTHORIZATION_URL", authorizer.url());
        env.put("PIPELINE_ORDERS_AUTHORIZATION_BACKOFF_INITIAL_MS", "200");
        env.put("PIPELINE_ORDERS_AUTHORIZATION_BACKOFF_MAX_MS", "1000");
        env.put("PIPELINE_ORDERS_AUTHORIZATION_MAX_ATTEMPTS", "1000");
        // a 20 s outage of 10% of the orders retried every second is most of the calls at times:
        // the breaker would open and park everyone, which is its job but not what this test measures
        // (ParkingTopologyTest covers it), so it judges over a window too long to fill here
        env.put("PIPELINE_EXTERNAL_CIRCUIT_FAILURE_RATE_THRESHOLD", "100");
        env.put("PIPELINE_EXTERNAL_CIRCUIT_WINDOW_CALLS", "10000");
        env.put("PIPELINE_EXTERNAL_CIRCUIT_MINIMUM_CALLS", "10000");
        Path stateDir = tmp.resolve(names.prefix() + "-state");
        AtomicReference<ChildApp> child = new AtomicReference<>(startApp(env, stateDir, names).awaitReady(DEADLINE));

        AvroSerde<OrderEvent> events = new AvroSerde<>(cluster().registry.client(), OrderEvent.class);
        Map<String, OrderEvent> refusedPaid = new ConcurrentHashMap<>();
        try (ResultReader results = new ResultReader(cluster().bootstrap, names.processed(),
                new AvroSerde<>(cluster().registry.client(), OrderResult.class));
                PacedSender<OrderEvent> sender = new PacedSender<>("parking-it-producer", cluster().producerProps(), events)) {
            authorizer.startOutage(OUTAGE);
            long loadStart = System.nanoTime();
            int[][] plan = plan();
            CompletableFuture<Long> producing = sender.start(RATE, i -> {
                if (i >= plan.length) {
                    return null;
                }
                OrderEvent e = event(names.prefix(), plan[(int) i][0], plan[(int) i][1]);
                if (e.getType() == OrderEventType.PAID && OutageAuthorizer.refused(e.getOrderId())) {
                    refusedPaid.put(e.getOrderId(), e);
                }
                return new ProducerRecord<>(names.orders(), null, null, e.getOrderId(), e);
            }, r -> { });

            List<Long> parkedAtKills = new ArrayList<>();
            long notBeforeNanos = loadStart + TimeUnit.SECONDS.toNanos(5);
            for (int k = 1; k <= kills; k++) {
                ChildApp c = child.get();
                AtomicLong parked = new AtomicLong();
                long notBefore = notBeforeNanos;
                await("events parked before kill " + k).atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                        .until(() -> System.nanoTime() >= notBefore && parked(c, parked) > 0);
                c.kill9();
                parkedAtKills.add(parked.get());
                LOG.info("[{}] kill -9 #{} with {} events parked, {} s into the load", names.prefix(), k, parked.get(),
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - loadStart));
                child.set(startApp(env, stateDir, names).awaitReady(DEADLINE));
                if (k == 1) {
                    // a restart takes 10-20 s here: the outage runs on for 20 s from now, so the next
                    // kill also finds events parked however long this one took
                    authorizer.startOutage(OUTAGE);
                }
                notBeforeNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            }
            long produceMs = producing.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            LOG.info("[{}] produced {} records in {} ms; authorizer: {} approved, {} unavailable, {} refused",
                    names.prefix(), plan.length, produceMs, authorizer.approved, authorizer.unavailable, authorizer.refused);

            await("every order settled").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                    .until(() -> results.settled(ORDERS) || !child.get().alive());
            assertThat(child.get().alive()).as("app died on its own:\n" + child.get().logTail()).isTrue();
            await("app commits all input").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster().lag(names) == 0);
            LOG.info("[{}] settled {} s after the start", names.prefix(), (System.nanoTime() - t0) / 1_000_000_000);

            assertThat(authorizer.unavailable.get()).as("503 answers").isPositive();
            assertOrders(names.prefix(), results);
            assertDeadLetters(names, events, refusedPaid);
            VerificationReport report = cluster().verify(names, PAYMENT_TIMEOUT_MS);
            LOG.info("[{}] {}", names.prefix(), report.summary());
            assertThat(report.ok()).as(report.summary() + "\n" + String.join("\n", report.problems())).isTrue();
            assertThat(report.missing() + report.duplicated() + report.wrong() + report.openTransactions()).isZero();
            assertThat(report.inputRecords()).isEqualTo(plan.length);
            return new Run(results, authorizer.outageEndsAtMs(), kills, parkedAtKills);
        }
    }

    /** Approved orders: CREATED v1, PAID v2, SHIPPED v3, in that order, once each; refused: CREATED only. */
    private static void assertOrders(String prefix, ResultReader results) {
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k < ORDERS; k++) {
            String id = orderId(prefix, k);
            List<String> expected = OutageAuthorizer.refused(id) ? List.of("CREATED:v1")
                    : List.of("CREATED:v1", "PAID:v2", "SHIPPED:v3");
            List<String> got = results.statuses(id);
            if (!got.equals(expected)) {
                wrong.add(id + (OutageAuthorizer.failing(id) ? " (failing)" : "") + ": " + got + ", expected " + expected);
            }
        }
        assertThat(wrong).as("orders with other results than expected").isEmpty();
    }

    /** Refused PAIDs in the DLQ as rejected with the bytes sent, their SHIPPED as invalid_transition; nothing else. */
    private static void assertDeadLetters(OrdersCluster.Names names, AvroSerde<OrderEvent> events,
            Map<String, OrderEvent> refusedPaid) {
        Map<String, byte[]> rejected = new HashMap<>();
        Map<String, Integer> byReason = new HashMap<>();
        for (var r : TopicRecords.readAll(cluster().bootstrap, names.dlq(), "read_committed")) {
            String reason = DeadLetters.header(r.headers(), DeadLetters.REASON);
            byReason.merge(reason, 1, Integer::sum);
            if ("rejected".equals(reason)) {
                rejected.put(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), r.value());
            }
        }
        assertThat(rejected.keySet()).isEqualTo(refusedPaid.keySet());
        refusedPaid.forEach((id, e) -> assertThat(Arrays.equals(rejected.get(id), events.serializer()
                .serialize(names.orders(), e))).as("original bytes of " + id).isTrue());
        assertThat(byReason).containsOnlyKeys("rejected", "invalid_transition")
                .containsEntry("invalid_transition", refusedPaid.size());
    }

    /** Step k sends CREATED of order k, PAID of order k - GAP, SHIPPED of order k - 2 GAP: {orderIndex, type}. */
    private static int[][] plan() {
        List<int[]> out = new ArrayList<>(3 * ORDERS);
        for (int k = 0; k < ORDERS + 2 * GAP; k++) {
            for (int t = 0; t < 3; t++) {
                int order = k - t * GAP;
                if (order >= 0 && order < ORDERS) {
                    out.add(new int[] {order, t});
                }
            }
        }
        return out.toArray(new int[0][]);
    }

    private static String orderId(String prefix, int k) {
        return prefix + "-order-" + k;
    }

    private static OrderEvent event(String prefix, int order, int type) {
        OrderEventType t = switch (type) {
            case 0 -> OrderEventType.CREATED;
            case 1 -> OrderEventType.PAID;
            default -> OrderEventType.SHIPPED;
        };
        String id = orderId(prefix, order);
        return OrderEvent.newBuilder().setEventId(id + "-" + t).setOrderId(id).setCustomerId("customer-" + order % 500)
                .setType(t).setAmountCents(1_000 + order).setCurrency("EUR").setTimestamp(Instant.now()).build();
    }

    /** Parked records the child reports in {@code /api/status}, into {@code into}; 0 while it does not answer. */
    private static long parked(ChildApp c, AtomicLong into) {
        try {
            Matcher m = PARKED.matcher(c.get("/api/status").body());
            into.set(m.find() ? Long.parseLong(m.group(1)) : 0);
        } catch (java.io.IOException | InterruptedException e) {
            into.set(0);
        }
        return into.get();
    }

    private static Path logDir() throws java.io.IOException {
        return Files.createDirectories(ChildApp.jar().getParent().resolve("orders-it"));
    }

    /** One log per child (its HTTP port is read from its own output), kept in target/orders-it. */
    private ChildApp startApp(Map<String, String> env, Path stateDir, OrdersCluster.Names names) throws java.io.IOException {
        Path log = logDir().resolve(names.prefix() + "-app-" + (APPS.started() + 1) + ".log");
        Files.deleteIfExists(log);
        return APPS.start(ChildApp.builder("parking").heap("384m").env(env).log(log).args("run", "--bootstrap-servers",
                cluster().bootstrap, "--only", "orders", "--http-port", "0", "--state-dir", stateDir.toString()));
    }

    private static OrdersCluster cluster() {
        return APPS.shared();
    }
}
