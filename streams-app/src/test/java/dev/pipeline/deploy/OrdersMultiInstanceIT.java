package dev.pipeline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pipeline.testing.ChildApp;
import dev.pipeline.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out of the exactly-once orders pipeline: instances stop, die and join under load, and
 * afterwards {@code verify orders} (the jar's own command, a separate re-implementation of the
 * rules) must find nothing missing, duplicated, wrong or left in an open transaction.
 */
class OrdersMultiInstanceIT extends AppClusterTests {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersMultiInstanceIT.class);
    private static final String APP_ID = "pipeline-orders";
    private static final int RATE = 300;
    private static final int IN_FLIGHT = 200;

    private static Admin admin;
    @BeforeAll
    static void startAdmin(TestBroker broker) {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stopAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    @Override
    String appId() {
        return APP_ID;
    }

    @Test
    void shouldHandOverWithNothingLostOrDuplicatedWhenOneStopsCleanly() throws Exception {
        try (OrdersTraffic traffic = new OrdersTraffic(cluster.bootstrap(), cluster.registry(), topics.orders())) {
            List<ChildApp> ab = cluster.startTwoSharing("orders-share", "orders", tmp, () -> traffic.startSending(RATE, IN_FLIGHT, 1));
            ChildApp a = ab.get(0);
            ChildApp b = ab.get(1);
            progress().awaitCommittedOnEveryPartition(Duration.ofSeconds(60));

            long t0 = System.nanoTime();
            assertThat(a.stop(Duration.ofMillis(AppCluster.SHUTDOWN_TIMEOUT_MS + 10_000L))).as("a drains\n%s", a.logTail()).isZero();
            long drainMs = (System.nanoTime() - t0) / 1_000_000;
            long handoverMs = progress().awaitProgressOnEveryPartition(progress().committed(), t0, Duration.ofSeconds(120));
            LOG.info("MEASURED orders, clean stop of 1 of 2: drain {} ms, SIGTERM -> every partition processing on the survivor {} ms",
                    drainMs, handoverMs);

            long sent = traffic.stopSending();
            progress().awaitCaughtUp(Duration.ofSeconds(120));
            assertVerifyPasses(sent);
            assertThat(b.stop(Duration.ofSeconds(40))).isZero();
        }
    }

    @Test
    void shouldPassVerifyAfterOneIsKilledUnderLoad() throws Exception {
        try (OrdersTraffic traffic = new OrdersTraffic(cluster.bootstrap(), cluster.registry(), topics.orders())) {
            List<ChildApp> ab = cluster.startTwoSharing("orders-kill", "orders", tmp, () -> traffic.startSending(RATE, IN_FLIGHT, 2));
            ChildApp a = ab.get(0);
            ChildApp b = ab.get(1);
            progress().awaitCommittedOnEveryPartition(Duration.ofSeconds(60));

            Map<Integer, Long> atKill = progress().committed();
            long t0 = System.nanoTime();
            a.kill9();
            long failoverMs = progress().awaitProgressOnEveryPartition(atKill, t0, Duration.ofSeconds(120));
            LOG.info("MEASURED orders, SIGKILL of 1 of 2 (session.timeout.ms={}, transaction timeout 10 s, standbys=1): "
                    + "kill -> every partition processing on the survivor {} ms", AppCluster.SESSION_TIMEOUT_MS, failoverMs);

            long sent = traffic.stopSending();
            progress().awaitCaughtUp(Duration.ofSeconds(120));
            progress().awaitNoOpenTransactions(topics.ordersProcessed(), Duration.ofSeconds(90));
            assertVerifyPasses(sent);
            assertThat(b.stop(Duration.ofSeconds(40))).isZero();
        }
    }

    @Test
    void shouldPassVerifyAfterAThirdInstanceJoins() throws Exception {
        try (OrdersTraffic traffic = new OrdersTraffic(cluster.bootstrap(), cluster.registry(), topics.orders())) {
            List<ChildApp> ab = cluster.startTwoSharing("orders-join", "orders", tmp, () -> traffic.startSending(RATE, IN_FLIGHT, 3));
            ChildApp a = ab.get(0);
            ChildApp b = ab.get(1);

            long t0 = System.nanoTime();
            ChildApp c = cluster.start("orders-join-c", "orders", tmp.resolve("c"), Map.of());
            c.awaitReady(AppCluster.READY_TIMEOUT);
            AppCluster.awaitProcessing(c, "orders");
            LOG.info("MEASURED orders, third instance: start -> processing its share {} ms", (System.nanoTime() - t0) / 1_000_000);
            AppCluster.awaitTasksSpread("orders", 4, a, b, c);

            long sent = traffic.stopSending();
            progress().awaitCaughtUp(Duration.ofSeconds(120));
            assertVerifyPasses(sent);
            for (ChildApp app : new ChildApp[] {a, b, c}) {
                assertThat(app.stop(Duration.ofMillis(AppCluster.SHUTDOWN_TIMEOUT_MS + 10_000L))).as("%s drains", app.name()).isZero();
            }
        }
    }

    private GroupProgress progress() {
        return new GroupProgress(admin, APP_ID, topics.orders(), 4);
    }

    /** Runs the jar's {@code verify orders} against the cluster; it must exit 0. */
    private void assertVerifyPasses(long sent) throws InterruptedException {
        try (ChildApp verify = ChildApp.builder("verify-orders").env(cluster.env())
                .args("verify", "orders", "--bootstrap-servers", cluster.bootstrap()).start()) {
            int exit = verify.awaitExit(Duration.ofSeconds(120));
            LOG.info("{} events sent; {}", sent, verify.stdout().strip());
            assertThat(exit).as("verify orders\n%s", verify.logTail()).isZero();
            assertThat(verify.stdout()).contains("missing=0 duplicated=0 wrong=0 open_transactions=0");
        }
    }

}
