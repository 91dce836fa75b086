package dev.pipeline.orders;

import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic (seeded) stream of order events for tests: many orders interleaved, most of them
 * taking a normal path, some cancelled, some never paid (they expire), some paid too late, some with
 * events out of order or after a terminal state, a few with invalid content, and a fraction of
 * records re-sent later with the same eventId. Timestamps advance {@code stepMs} per record.
 */
final class OrderLoad {
    /** One record to send: key, value, and its timestamp as an offset from the run's base time. */
    record Send(String key, OrderEvent event, long offsetMs, boolean resend) {}

    private static final OrderEventType C = OrderEventType.CREATED;
    private static final OrderEventType P = OrderEventType.PAID;
    private static final OrderEventType S = OrderEventType.SHIPPED;
    private static final OrderEventType X = OrderEventType.CANCELLED;

    private OrderLoad() {}

    /**
     * @param records         total records, resends included
     * @param duplicateShare  share of the records that are resends of an earlier record
     * @param activeOrders    orders in flight at once (how far their events interleave)
     * @param latePaymentMs   how much later (in record time) the "late payment" plan pays; above the payment timeout
     */
    static List<Send> generate(long seed, int records, double duplicateShare, int activeOrders, long stepMs,
            long latePaymentMs) {
        Random rnd = new Random(seed);
        List<Send> out = new ArrayList<>(records);
        List<Plan> active = new ArrayList<>();
        PriorityQueue<Delayed> delayed = new PriorityQueue<>((a, b) -> Long.compare(a.dueStep, b.dueStep));
        int nextOrder = 0;
        int step = 0;
        while (out.size() < records) {
            long offset = (long) step * stepMs;
            if (!delayed.isEmpty() && delayed.peek().dueStep <= step) {
                Delayed d = delayed.poll();
                out.add(new Send(d.event.getOrderId(), d.event, offset, d.resend));
            } else if (rnd.nextDouble() < duplicateShare && !out.isEmpty()) {
                // resend a recent record later, as a client retry would
                Send original = out.get(out.size() - 1 - rnd.nextInt(Math.min(out.size(), 500)));
                delayed.add(new Delayed(step + rnd.nextInt(2_000), original.event(), true));
                step++;
                continue;
            } else {
                while (active.size() < activeOrders) {
                    active.add(Plan.random("order-" + seed + "-" + nextOrder++, rnd));
                }
                Plan plan = active.get(rnd.nextInt(active.size()));
                OrderEvent e = plan.next(offset);
                if (plan.lateIndex == plan.emitted - 1) {
                    delayed.add(new Delayed(step + (int) (latePaymentMs / stepMs) + 1, e, false));
                } else {
                    out.add(new Send(e.getOrderId(), e, offset, false));
                }
                if (plan.done()) {
                    active.remove(plan);
                }
            }
            step++;
        }
        return out;
    }

    private record Delayed(long dueStep, OrderEvent event, boolean resend) {}

    private static final class Plan {
        final String orderId;
        final OrderEventType[] path;
        final int lateIndex;
        final long amount;
        final String badCurrencyAt;
        int emitted;

        Plan(String orderId, OrderEventType[] path, int lateIndex, long amount, String badCurrencyAt) {
            this.orderId = orderId;
            this.path = path;
            this.lateIndex = lateIndex;
            this.amount = amount;
            this.badCurrencyAt = badCurrencyAt;
        }

        static Plan random(String orderId, Random rnd) {
            int p = rnd.nextInt(100);
            long amount = 100 + rnd.nextInt(100_000);
            if (p < 66) {
                return new Plan(orderId, new OrderEventType[] {C, P, S}, -1, amount, null);
            } else if (p < 76) {
                return new Plan(orderId, new OrderEventType[] {C, X}, -1, amount, null);
            } else if (p < 84) {
                return new Plan(orderId, new OrderEventType[] {C, P, X}, -1, amount, null);
            } else if (p < 89) {
                return new Plan(orderId, new OrderEventType[] {C}, -1, amount, null);              // expires
            } else if (p < 92) {
                return new Plan(orderId, new OrderEventType[] {C, P, S}, 1, amount, null);         // paid too late
            } else if (p < 95) {
                return new Plan(orderId, new OrderEventType[] {P, C, S, P, S, X}, -1, amount, null); // out of order
            } else if (p < 98) {
                return new Plan(orderId, new OrderEventType[] {C, X, P, S}, -1, amount, null);    // after terminal
            } else if (p < 99) {
                return new Plan(orderId, new OrderEventType[] {C, P, S}, -1, -amount, null);       // bad amount
            } else {
                return new Plan(orderId, new OrderEventType[] {C, P, S}, -1, amount, "usd");       // bad currency
            }
        }

        OrderEvent next(long offsetMs) {
            int i = emitted++;
            return OrderEvent.newBuilder().setEventId(orderId + "-e" + i).setOrderId(orderId)
                    .setCustomerId("customer-" + Math.abs(orderId.hashCode() % 1000)).setType(path[i])
                    .setAmountCents(amount).setCurrency(badCurrencyAt != null && i == 0 ? badCurrencyAt : "EUR")
                    .setTimestamp(Instant.ofEpochMilli(offsetMs)).build();
        }

        boolean done() {
            return emitted == path.length;
        }
    }
}
