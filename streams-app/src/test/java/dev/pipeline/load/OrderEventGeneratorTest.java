package dev.pipeline.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderEventType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrderEventGeneratorTest {
    private static final List<OrderEventType> COMPLETE = List.of(OrderEventType.CREATED, OrderEventType.PAID, OrderEventType.SHIPPED);
    private static final List<OrderEventType> SWAPPED = List.of(OrderEventType.CREATED, OrderEventType.SHIPPED, OrderEventType.PAID);
    private static final List<OrderEventType> CANCEL_EARLY = List.of(OrderEventType.CREATED, OrderEventType.CANCELLED);
    private static final List<OrderEventType> CANCEL_LATE = List.of(OrderEventType.CREATED, OrderEventType.PAID, OrderEventType.CANCELLED);

    @Test
    void shouldFollowTheStateMachineExceptForTheDeliberatelySwappedOrders() {
        Map<String, List<OrderEventType>> byOrder = lifecycles(new OrderEventGenerator(42, 200, () -> 1_000L), 50_000);
        int swapped = 0;
        int cancelled = 0;
        int complete = 0;
        for (Map.Entry<String, List<OrderEventType>> e : byOrder.entrySet()) {
            List<OrderEventType> seq = e.getValue();
            boolean prefixOfAllowed = isPrefix(seq, COMPLETE) || isPrefix(seq, CANCEL_EARLY) || isPrefix(seq, CANCEL_LATE);
            // out-of-order orders are emitted whole, so they never end half way
            assertThat(prefixOfAllowed || seq.equals(SWAPPED) || isPrefix(seq, List.of(OrderEventType.CREATED, OrderEventType.SHIPPED)))
                    .as("order %s: %s", e.getKey(), seq).isTrue();
            swapped += seq.equals(SWAPPED) ? 1 : 0;
            cancelled += seq.contains(OrderEventType.CANCELLED) ? 1 : 0;
            complete += seq.equals(COMPLETE) ? 1 : 0;
        }
        int orders = byOrder.size();
        assertThat(complete).as("most orders complete").isGreaterThan(orders * 7 / 10);
        assertThat(cancelled).as("some orders are cancelled").isBetween(orders / 50, orders / 5);
        assertThat(swapped).as("a few orders arrive out of order").isBetween(orders / 200, orders / 20);
    }

    @Test
    void shouldKeepAtMostKeysOrdersInFlightAndUniqueEventIds() {
        OrderEventGenerator gen = new OrderEventGenerator(7, 10, () -> 0L);
        Set<String> eventIds = new HashSet<>();
        Map<String, Integer> open = new LinkedHashMap<>();
        for (int i = 0; i < 5_000; i++) {
            GeneratedEvent<OrderEvent> e = gen.next();
            assertThat(e.key()).isEqualTo(e.value().getOrderId());
            assertThat(eventIds.add(e.eventId())).isTrue();
            assertThat(e.value().getAmountCents()).isPositive();
            assertThat(e.value().getCurrency()).matches("[A-Z]{3}");
            open.merge(e.key(), 1, Integer::sum);
        }
        assertThat(open.size()).as("order ids are not reused").isGreaterThan(5_000 / 4);
    }

    @Test
    void shouldBeDeterministicForASeed() {
        List<String> a = ids(new OrderEventGenerator(3, 50, () -> 5L), 500);
        List<String> b = ids(new OrderEventGenerator(3, 50, () -> 5L), 500);
        assertThat(a).isEqualTo(b);
    }

    private static Map<String, List<OrderEventType>> lifecycles(OrderEventGenerator gen, int n) {
        Map<String, List<OrderEventType>> byOrder = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            GeneratedEvent<OrderEvent> e = gen.next();
            byOrder.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.value().getType());
        }
        return byOrder;
    }

    private static List<String> ids(OrderEventGenerator gen, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gen.next().eventId());
        }
        return out;
    }

    private static boolean isPrefix(List<OrderEventType> seq, List<OrderEventType> of) {
        return seq.size() <= of.size() && of.subList(0, seq.size()).equals(seq);
    }
}
