package dev.pipeline.load;

import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Order lifecycles that follow the state machine {@code CREATED → PAID → SHIPPED},
 * {@code CREATED|PAID → CANCELLED}, interleaved across up to {@code openOrders} orders in flight
 * (the key space at any moment; order ids are unique over a run). Some orders are cancelled,
 * some abandoned after CREATED (they never get paid: the pipeline's payment timeout expires
 * them), and a small fraction get their last two events swapped (SHIPPED before PAID), as a
 * client with a retry queue would send them. The key is the order id.
 */
public final class OrderEventGenerator implements EventGenerator<OrderEvent> {
    /** Shares of the lifecycle outcomes; the rest of the orders complete CREATED → PAID → SHIPPED. */
    public record Mix(double cancelAfterCreated, double cancelAfterPaid, double abandoned, double outOfOrder) {
        public static final Mix DEFAULT = new Mix(0.06, 0.03, 0.02, 0.02);

        public Mix {
            for (double d : new double[] {cancelAfterCreated, cancelAfterPaid, abandoned, outOfOrder}) {
                if (!(d >= 0 && d <= 1)) {
                    throw new IllegalArgumentException("shares must be in [0, 1]: " + this);
                }
            }
        }
    }

    private static final String[] CURRENCIES = {"EUR", "EUR", "EUR", "USD", "USD", "GBP"};

    private final Random random;
    private final LongSupplier clockMillis;
    private final int openOrders;
    private final Mix mix;
    private final String runPrefix;
    private final List<Order> open = new ArrayList<>();
    /** Events already decided but held back one step (the out-of-order swaps). Bounded by openOrders. */
    private final ArrayDeque<GeneratedEvent<OrderEvent>> heldBack = new ArrayDeque<>();
    private long nextOrder;

    public OrderEventGenerator(long seed, int openOrders, LongSupplier clockMillis) {
        this(seed, openOrders, clockMillis, Mix.DEFAULT);
    }

    /**
     * @param seed       same seed, same events (ids included)
     * @param openOrders most orders in flight at once, at least 1
     */
    public OrderEventGenerator(long seed, int openOrders, LongSupplier clockMillis, Mix mix) {
        if (openOrders < 1) {
            throw new IllegalArgumentException("open orders must be at least 1, got " + openOrders);
        }
        this.random = new Random(seed);
        this.clockMillis = clockMillis;
        this.openOrders = openOrders;
        this.mix = mix;
        this.runPrefix = Long.toString(random.nextLong() & 0xffffffL, 36);
    }

    @Override
    public Class<OrderEvent> valueType() {
        return OrderEvent.class;
    }

    @Override
    public GeneratedEvent<OrderEvent> next() {
        if (!heldBack.isEmpty() && (random.nextInt(4) == 0 || heldBack.size() >= openOrders)) {
            return heldBack.poll();
        }
        // create with probability 1 - open/openOrders: steady state ~2/3 of the slots busy, and
        // short runs still see whole lifecycles
        if (open.isEmpty() || random.nextDouble() >= (double) open.size() / openOrders) {
            return create();
        }
        int i = random.nextInt(open.size());
        return advance(i);
    }

    private GeneratedEvent<OrderEvent> create() {
        long amount = 500 + (long) Math.abs(Math.exp(7 + random.nextGaussian()));
        Order o = new Order(runPrefix + "-" + Long.toString(nextOrder++, 36),
                "cust-" + random.nextInt(Math.max(10, openOrders * 20)), amount, CURRENCIES[random.nextInt(CURRENCIES.length)]);
        if (random.nextDouble() >= mix.abandoned()) {
            open.add(o);
        }
        return event(o, OrderEventType.CREATED);
    }

    private GeneratedEvent<OrderEvent> advance(int index) {
        Order o = open.get(index);
        double x = random.nextDouble();
        if (o.last == OrderEventType.CREATED) {
            if (x < mix.cancelAfterCreated()) {
                remove(index);
                return event(o, OrderEventType.CANCELLED);
            }
            if (x < mix.cancelAfterCreated() + mix.outOfOrder()) {
                remove(index);
                GeneratedEvent<OrderEvent> paid = event(o, OrderEventType.PAID);
                heldBack.add(paid);
                return event(o, OrderEventType.SHIPPED);
            }
            o.last = OrderEventType.PAID;
            return event(o, OrderEventType.PAID);
        }
        remove(index);
        return event(o, x < mix.cancelAfterPaid() ? OrderEventType.CANCELLED : OrderEventType.SHIPPED);
    }

    private void remove(int index) {
        int lastIndex = open.size() - 1;
        open.set(index, open.get(lastIndex));
        open.remove(lastIndex);
    }

    private GeneratedEvent<OrderEvent> event(Order o, OrderEventType type) {
        String eventId = new UUID(random.nextLong(), random.nextLong()).toString();
        OrderEvent e = OrderEvent.newBuilder()
                .setEventId(eventId)
                .setOrderId(o.id)
                .setCustomerId(o.customer)
                .setType(type)
                .setAmountCents(o.amountCents)
                .setCurrency(o.currency)
                .setTimestamp(Instant.ofEpochMilli(clockMillis.getAsLong()))
                .build();
        return new GeneratedEvent<>(o.id, e, eventId);
    }

    private static final class Order {
        final String id;
        final String customer;
        final long amountCents;
        final String currency;
        OrderEventType last = OrderEventType.CREATED;

        Order(String id, String customer, long amountCents, String currency) {
            this.id = id;
            this.customer = customer;
            this.amountCents = amountCents;
            this.currency = currency;
        }
    }
}
