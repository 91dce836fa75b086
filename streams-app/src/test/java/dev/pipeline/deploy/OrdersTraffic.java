package dev.pipeline.deploy;

import dev.pipeline.kafka.serde.AvroSerde;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import dev.pipeline.testing.HttpRegistry;
import dev.pipeline.testing.PacedSender;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Order traffic for the deployment tests: valid lifecycles (CREATED, then PAID, then SHIPPED or
 * CANCELLED) over a pool of orders in flight, plus resends of an order's last event with its
 * eventId (a retrying client), so the pipeline's dedup is exercised across rebalances. Whether the
 * output is right is for {@code verify orders} to say.
 */
final class OrdersTraffic implements AutoCloseable {
    private static final double RESEND = 0.05;
    private final String topic;
    private final PacedSender<OrderEvent> sender;
    private final AtomicLong acked = new AtomicLong();

    OrdersTraffic(String bootstrap, HttpRegistry registry, String topic) {
        this.topic = topic;
        this.sender = new PacedSender<>("orders-traffic-sender", Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5), new AvroSerde<>(registry.client(), OrderEvent.class));
    }

    void startSending(int ratePerSecond, int ordersInFlight, long seed) {
        Random random = new Random(seed);
        List<Order> open = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        sender.start(ratePerSecond, n -> {
            OrderEvent e;
            if (open.size() < ordersInFlight) {
                Order o = new Order("order-" + next.getAndIncrement(), "customer-" + random.nextInt(100), 100 + random.nextInt(100_000));
                open.add(o);
                e = o.next(random);
            } else {
                int i = random.nextInt(open.size());
                Order o = open.get(i);
                e = random.nextDouble() < RESEND ? o.last : o.next(random);
                if (o.done) {
                    open.remove(i);
                }
            }
            return new ProducerRecord<>(topic, e.getOrderId(), e);
        }, r -> acked.incrementAndGet());
    }

    /** Stops the sender; returns the records the broker acknowledged. */
    long stopSending() throws InterruptedException, ExecutionException, TimeoutException {
        sender.stop();
        return acked.get();
    }

    @Override
    public void close() throws InterruptedException {
        sender.close();
    }

    /** One order's lifecycle; {@link #next} gives its next event. */
    private static final class Order {
        private final String id;
        private final String customer;
        private final long amount;
        private int step;
        private boolean done;
        private OrderEvent last;

        Order(String id, String customer, long amount) {
            this.id = id;
            this.customer = customer;
            this.amount = amount;
        }

        OrderEvent next(Random random) {
            OrderEventType type = switch (step) {
                case 0 -> OrderEventType.CREATED;
                case 1 -> random.nextInt(10) == 0 ? OrderEventType.CANCELLED : OrderEventType.PAID;
                default -> random.nextInt(10) == 0 ? OrderEventType.CANCELLED : OrderEventType.SHIPPED;
            };
            step++;
            done = step == 3 || type == OrderEventType.CANCELLED;
            last = OrderEvent.newBuilder().setEventId(id + "-" + step).setOrderId(id).setCustomerId(customer)
                    .setType(type).setAmountCents(amount).setCurrency("EUR").setTimestamp(Instant.now()).build();
            return last;
        }
    }
}
