package dev.pipeline.orders;

import dev.pipeline.config.OrdersKeys;
import dev.pipeline.config.PipelineConfig;
import dev.pipeline.config.PolicyKeys;
import dev.pipeline.schema.OrderEvent;
import dev.pipeline.schema.OrderResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Recomputes from the input what {@code orders-processed} must contain and compares. This is a
 * deliberately separate, small re-implementation of the rules (a transition table of strings, no
 * call into the topology), so a bug in one shows up as a disagreement with the other.
 *
 * <p>The model, per input partition in offset order (a partition is one task of the app):
 * stream time = max record timestamp so far (undecodable records are skipped without moving it);
 * an event is applied unless it breaks the input contract (no value, key not its orderId, blank
 * or oversized ids, event time negative or beyond the skew, negative amount, non-positive amount
 * on CREATED, currency not three upper-case letters), its eventId was already applied to its
 * order, its order expired (still CREATED when stream time, this record included, reached
 * creation stream time + payment timeout), or the transition is not one of the five allowed. Each applied event must produce exactly one result with the order's status,
 * version (= events applied), amount, currency and customer; every order still CREATED at a
 * stream time past its deadline must produce exactly one EXPIRED result.
 *
 * <p>The app forgets eventIds after the dedup TTL, but a forgotten duplicate can never be
 * applied again (no transition re-enters a state), so the model needs no TTL: the output is the
 * same either way. Only the drop reason differs, and drops are not checked here.
 *
 * <p>Retention ({@code orders.retention.ms}) is not modelled: an order the app deleted and then saw
 * CREATED again would be reported wrong. It takes input spanning more stream time than the retention
 * (7 days by default) with a resend of an old CREATED.
 *
 * <p>Payment authorization ({@code orders.authorization.url}): whether the service approves is not
 * in the input, so the verifier reads it from the dead-letter topic ({@link VerifierInputs}): an
 * input record the orders pipeline dead-lettered as {@code rejected}, {@code retries_exhausted}, {@code overflow} or
 * {@code circuit_open} (found by the source partition and offset in its headers) is left out of the
 * replay, as if it had never been sent; every other event is judged as above. Known limit: an order
 * whose payment deadline passes while its PAID is parked expires in the app (the PAID then drops as
 * {@code expired}) but not in the model, which judges each event at its arrival; runs that verify
 * keep the payment timeout well above the longest parking time.
 *
 * <p>Known limit: the pipeline checks event time against its wall clock when it processes the
 * record, the verifier against its own (later) clock. An event stamped more than the skew
 * ahead of its processing time but not of the verification time is refused by the pipeline and
 * expected by the verifier (reported missing). That takes a producer clock ahead by more than
 * {@code validation.max.future.skew.ms} (1 day by default).
 */
public final class OrdersVerifier {
    static final int MAX_PROBLEMS = 20;

    private static final Map<String, String> MOVES = Map.of(
            "NEW+CREATED", "CREATED",
            "CREATED+PAID", "PAID",
            "CREATED+CANCELLED", "CANCELLED",
            "PAID+SHIPPED", "SHIPPED",
            "PAID+CANCELLED", "CANCELLED");

    private OrdersVerifier() {}

    /** An input record (partition, offset) that the pipeline dead-lettered for one of {@link VerifierInputs#EXTERNAL_DROPS}. */
    public record Dropped(int partition, long offset) {}

    /**
     * The parameters of the rules, from the same keys the pipeline reads.
     *
     * @param nowMs the verifier's clock: an event stamped more than the future skew after it was
     *              certainly refused by the pipeline, which checked against its own (earlier) clock
     */
    public record Rules(long paymentTimeoutMs, int maxStringChars, long maxFutureSkewMs, long nowMs) {
        public static Rules from(PipelineConfig config, long nowMs) {
            return new Rules(config.getLong(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG),
                    config.getInt(PolicyKeys.VALIDATION_MAX_STRING_CHARS_CONFIG),
                    config.getLong(PolicyKeys.VALIDATION_MAX_FUTURE_SKEW_MS_CONFIG), nowMs);
        }

        /** The app's defaults with another payment timeout (tests). */
        public static Rules withPaymentTimeout(long paymentTimeoutMs) {
            return from(PipelineConfig.defaults().with(Map.of(OrdersKeys.PAYMENT_TIMEOUT_MS_CONFIG, paymentTimeoutMs)),
                    System.currentTimeMillis());
        }
    }

    /** One committed input record; {@code decoded} false when its value did not deserialize. */
    public record Input(int partition, long offset, long timestamp, String key, OrderEvent value, boolean decoded) {
        public static Input of(int partition, long offset, long timestamp, String key, OrderEvent value) {
            return new Input(partition, offset, timestamp, key, value, true);
        }
    }

    /** One committed output record; a null value means it did not deserialize. */
    public record Output(int partition, long offset, String key, OrderResult value) {}

    private record Expected(String orderId, String status, int version, long amount, String currency, String customer) {}

    private static final class Ord {
        String status = "NEW";
        int version;
        long amount;
        String currency;
        String customer;
        long deadline;
        String lastEventId;
    }

    /** Compares without touching Kafka; open transactions are added by the caller that reads topics. */
    public static VerificationReport verify(List<Input> inputs, List<Output> outputs, Rules rules) {
        return verify(inputs, outputs, rules, Set.of());
    }

    /** With the inputs the authorization dropped ({@link VerifierInputs#externallyDropped}), left out of the model. */
    public static VerificationReport verify(List<Input> inputs, List<Output> outputs, Rules rules, Set<Dropped> dropped) {
        Map<String, Expected> expected = new LinkedHashMap<>();
        Map<Integer, List<Input>> byPartition = new TreeMap<>();
        long undecodable = 0;
        for (Input in : inputs) {
            byPartition.computeIfAbsent(in.partition(), p -> new ArrayList<>()).add(in);
            if (!in.decoded()) {
                undecodable++;
            }
        }
        for (List<Input> partition : byPartition.values()) {
            partition.sort(Comparator.comparingLong(Input::offset));
            replay(partition, rules, expected, dropped);
        }
        return compare(expected, outputs, inputs.size(), undecodable);
    }

    private static void replay(List<Input> records, Rules rules, Map<String, Expected> expected, Set<Dropped> dropped) {
        long timeout = rules.paymentTimeoutMs();
        Map<String, Ord> orders = new HashMap<>();
        Set<String> applied = new HashSet<>();
        long streamTime = Long.MIN_VALUE;
        for (Input in : records) {
            if (!in.decoded()) {
                continue;
            }
            streamTime = Math.max(streamTime, in.timestamp());
            if (!dropped.isEmpty() && dropped.contains(new Dropped(in.partition(), in.offset()))) {
                continue; // the service refused it, or it could not be authorized: never judged by the rules
            }
            OrderEvent e = in.value();
            if (!acceptable(in.key(), e, rules) || applied.contains(eventKey(e.getOrderId(), e.getEventId()))) {
                continue;
            }
            String type = e.getType().name();
            Ord o = orders.computeIfAbsent(e.getOrderId(), id -> new Ord());
            if (o.status.equals("CREATED") && o.deadline <= streamTime) {
                o.status = "EXPIRED";
                expected.put(expiredKey(e.getOrderId()), new Expected(e.getOrderId(), "EXPIRED", o.version, o.amount,
                        o.currency, o.customer));
            }
            String next = MOVES.get(o.status + "+" + type);
            if (next == null) {
                continue;
            }
            if (o.status.equals("NEW")) {
                o.amount = e.getAmountCents();
                o.currency = e.getCurrency();
                o.customer = e.getCustomerId();
                o.deadline = streamTime + timeout < streamTime ? Long.MAX_VALUE : streamTime + timeout;
            }
            o.status = next;
            o.version++;
            o.lastEventId = e.getEventId();
            applied.add(eventKey(e.getOrderId(), e.getEventId()));
            expected.put(eventKey(e.getOrderId(), e.getEventId()), new Expected(e.getOrderId(), next, o.version,
                    o.amount, o.currency, o.customer));
        }
        for (Map.Entry<String, Ord> entry : orders.entrySet()) {
            Ord o = entry.getValue();
            if (o.status.equals("CREATED") && o.deadline <= streamTime) {
                expected.put(expiredKey(entry.getKey()), new Expected(entry.getKey(), "EXPIRED", o.version, o.amount,
                        o.currency, o.customer));
            }
        }
    }

    private static VerificationReport compare(Map<String, Expected> expected, List<Output> outputs, long inputs,
            long undecodable) {
        List<String> problems = new ArrayList<>();
        long wrong = 0;
        Map<String, List<Output>> actual = new HashMap<>();
        for (Output out : outputs) {
            OrderResult r = out.value();
            if (r == null) {
                wrong++;
                note(problems, "undecodable result at partition " + out.partition() + " offset " + out.offset());
                continue;
            }
            String key = r.getStatus().name().equals("EXPIRED") ? expiredKey(r.getOrderId())
                    : eventKey(r.getOrderId(), r.getLastEventId());
            actual.computeIfAbsent(key, k -> new ArrayList<>()).add(out);
        }
        long missing = 0;
        long duplicated = 0;
        for (Map.Entry<String, Expected> entry : expected.entrySet()) {
            List<Output> copies = actual.remove(entry.getKey());
            Expected want = entry.getValue();
            if (copies == null) {
                missing++;
                note(problems, "missing " + describe(entry.getKey(), want));
                continue;
            }
            if (copies.size() > 1) {
                duplicated += copies.size() - 1;
                note(problems, "duplicated x" + copies.size() + " " + entry.getKey() + " at " + positions(copies));
            }
            for (Output got : copies) {
                String diff = difference(want, got);
                if (diff != null) {
                    wrong++;
                    note(problems, "wrong " + entry.getKey() + " at partition " + got.partition() + " offset "
                            + got.offset() + ": " + diff);
                    break;
                }
            }
        }
        for (Map.Entry<String, List<Output>> extra : actual.entrySet()) {
            wrong += extra.getValue().size();
            note(problems, "unexpected result " + extra.getKey() + " at " + positions(extra.getValue())
                    + " (no input event should have produced it)");
        }
        return new VerificationReport(inputs, undecodable, outputs.size(), expected.size(), missing, duplicated, wrong,
                0, problems);
    }

    private static String difference(Expected want, Output got) {
        OrderResult r = got.value();
        List<String> d = new ArrayList<>();
        if (!want.orderId().equals(got.key())) {
            d.add("record key " + got.key() + " != orderId " + want.orderId());
        }
        if (!want.status().equals(r.getStatus().name())) {
            d.add("status " + r.getStatus() + " != " + want.status());
        }
        if (want.version() != r.getVersion()) {
            d.add("version " + r.getVersion() + " != " + want.version());
        }
        if (want.amount() != r.getAmountCents()) {
            d.add("amount " + r.getAmountCents() + " != " + want.amount());
        }
        if (!want.currency().equals(r.getCurrency())) {
            d.add("currency " + r.getCurrency() + " != " + want.currency());
        }
        if (!want.customer().equals(r.getCustomerId())) {
            d.add("customer " + r.getCustomerId() + " != " + want.customer());
        }
        return d.isEmpty() ? null : String.join(", ", d);
    }

    private static String describe(String key, Expected e) {
        return key + " (status " + e.status() + ", version " + e.version() + ")";
    }

    private static String positions(List<Output> outs) {
        List<String> p = new ArrayList<>();
        for (Output o : outs) {
            p.add(o.partition() + "@" + o.offset());
            if (p.size() == 5) {
                break;
            }
        }
        return p.toString();
    }

    private static void note(List<String> problems, String line) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(line);
        }
    }

    private static String eventKey(String orderId, String eventId) {
        return "order " + orderId + " event " + eventId;
    }

    private static String expiredKey(String orderId) {
        return "order " + orderId + " EXPIRED";
    }

    /** The input contract and content rules: what the pipeline refuses before looking at any state. */
    private static boolean acceptable(String key, OrderEvent e, Rules rules) {
        if (e == null || key == null || key.isEmpty() || !key.equals(e.getOrderId())) {
            return false;
        }
        for (String text : new String[] {e.getEventId(), e.getOrderId(), e.getCustomerId()}) {
            if (text == null || text.isBlank() || text.length() > rules.maxStringChars()) {
                return false;
            }
        }
        long eventTime = e.getTimestamp().toEpochMilli();
        if (eventTime < 0 || eventTime > rules.nowMs() + rules.maxFutureSkewMs()) {
            return false;
        }
        long amount = e.getAmountCents();
        if (amount < 0 || (e.getType().name().equals("CREATED") && amount == 0)) {
            return false;
        }
        return isCurrency(e.getCurrency());
    }

    private static boolean isCurrency(String c) {
        if (c == null || c.length() != 3) {
            return false;
        }
        for (int i = 0; i < 3; i++) {
            if (c.charAt(i) < 'A' || c.charAt(i) > 'Z') {
                return false;
            }
        }
        return true;
    }
}
