package dev.pipeline.orders;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code verify orders} found. Exit code 0 only when nothing is missing, duplicated, wrong
 * or still inside an open transaction.
 *
 * @param inputRecords      committed records read from the input topic
 * @param undecodableInputs input records that did not deserialize (never reach the pipeline; ignored)
 * @param outputRecords     committed results read from the output topic
 * @param expectedResults   results the independent model says must exist
 * @param missing           expected results with no output
 * @param duplicated        extra copies of a result (same order and eventId, or a second EXPIRED)
 * @param wrong             results whose status/version/amount/currency/customer differ, and results
 *                          that should not exist at all
 * @param openTransactions  partitions of either topic whose last stable offset is below the end offset
 * @param problems          the first few problems, one line each
 */
public record VerificationReport(long inputRecords, long undecodableInputs, long outputRecords, long expectedResults,
        long missing, long duplicated, long wrong, long openTransactions, List<String> problems) {

    public VerificationReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return missing == 0 && duplicated == 0 && wrong == 0 && openTransactions == 0;
    }

    public int exitCode() {
        return ok() ? 0 : 1;
    }

    /** The one-line summary {@code verify orders} prints first. */
    public String summary() {
        return String.format("verify orders: %s: missing=%d duplicated=%d wrong=%d open_transactions=%d "
                        + "(inputs=%d undecodable=%d outputs=%d expected=%d)",
                ok() ? "OK" : "FAILED", missing, duplicated, wrong, openTransactions, inputRecords,
                undecodableInputs, outputRecords, expectedResults);
    }

    public VerificationReport withOpenTransactions(long open, List<String> details) {
        List<String> all = new ArrayList<>(problems);
        for (String d : details) {
            if (all.size() < OrdersVerifier.MAX_PROBLEMS) {
                all.add(d);
            }
        }
        return new VerificationReport(inputRecords, undecodableInputs, outputRecords, expectedResults, missing,
                duplicated, wrong, open, all);
    }
}
