package dev.pipeline.load;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Picks one of a fixed list of items with fixed relative weights (skewed distributions). */
final class WeightedChoice<T> {
    private final List<T> items;
    private final double[] cumulative;

    WeightedChoice(List<T> items, double[] weights) {
        if (items.isEmpty() || items.size() != weights.length) {
            throw new IllegalArgumentException("need one positive weight per item");
        }
        this.items = List.copyOf(items);
        this.cumulative = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] > 0)) {
                throw new IllegalArgumentException("weights must be positive: " + Arrays.toString(weights));
            }
            sum += weights[i];
            cumulative[i] = sum;
        }
    }

    /** Weights 1/(rank+1)^s: a few hot items and a long tail, like real services and customers. */
    static <T> WeightedChoice<T> zipf(List<T> items, double s) {
        double[] w = new double[items.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 1 / Math.pow(i + 1, s);
        }
        return new WeightedChoice<>(items, w);
    }

    T pick(Random random) {
        double x = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, x);
        int index = i >= 0 ? i + 1 : -i - 1;
        return items.get(Math.min(index, items.size() - 1));
    }
}
