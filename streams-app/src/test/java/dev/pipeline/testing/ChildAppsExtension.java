package dev.pipeline.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lifecycle of the integration tests that run the app in child JVMs against the class's
 * broker: a fixture shared by the class's tests (e.g. the registry and clients of
 * {@code OrdersCluster}), built from the broker before the first test and closed after the last,
 * and every child a test starts, killed after that test even when it failed halfway.
 *
 * <p>Use it as a static field after {@code @ExtendWith(KafkaBrokerExtension.class)} on the class
 * (class-level extensions are registered first, so the broker is up when the fixture is built and
 * still up when it is closed):
 * <pre>{@code
 * @RegisterExtension
 * static final ChildAppsExtension<OrdersCluster> APPS =
 *         new ChildAppsExtension<>(broker -> new OrdersCluster(broker.bootstrapServers()));
 * ... APPS.shared() ... APPS.start(ChildApp.builder("name")...) ...
 * }</pre>
 * Tests of a class run one after the other (no parallel execution here), so one list of children
 * is enough.
 */
public final class ChildAppsExtension<S extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback,
        AfterEachCallback {
    private final Function<TestBroker, S> fixture;
    private final List<ChildApp> children = new ArrayList<>();
    private S shared;

    public ChildAppsExtension(Function<TestBroker, S> fixture) {
        this.fixture = fixture;
    }

    /** The class's fixture; only between its first and last test. */
    public S shared() {
        if (shared == null) {
            throw new IllegalStateException("no shared fixture outside the test class's lifecycle");
        }
        return shared;
    }

    /** Starts a child and kills it (if still alive) after the current test. */
    public synchronized ChildApp start(ChildApp.Builder builder) {
        ChildApp c = builder.start();
        children.add(c);
        return c;
    }

    /** Children started by the current test so far. */
    public synchronized int started() {
        return children.size();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        shared = fixture.apply(KafkaBrokerExtension.broker(context));
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<ChildApp> started;
        synchronized (this) {
            started = List.copyOf(children);
            children.clear();
        }
        for (ChildApp c : started) {
            c.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (shared != null) {
            try {
                shared.close();
            } finally {
                shared = null;
            }
        }
    }
}
