package dev.pipeline.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * SIGINT/SIGTERM handling for long-running commands. The first signal asks for a graceful drain
 * (the command then exits 0); a second signal, or a drain that overruns its timeout, ends the
 * process at once with a non-zero code and a message.
 */
final class Shutdown {
    static final int EXIT_FORCED = 130;

    private final CompletableFuture<String> stop = new CompletableFuture<>();
    private final AtomicInteger signals = new AtomicInteger();

    private Shutdown() {}

    static Shutdown install() {
        Shutdown s = new Shutdown();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), sig -> s.onSignal(sig.getName()));
        }
        return s;
    }

    private void onSignal(String name) {
        if (signals.incrementAndGet() == 1) {
            System.err.println("Received SIG" + name + ": draining (send again to stop at once)");
            stop.complete("SIG" + name);
        } else {
            System.err.println("Second signal: stopping without draining");
            Runtime.getRuntime().halt(EXIT_FORCED);
        }
    }

    /** Blocks until a signal arrives or {@code failure} completes; returns the failure message, or null on a signal. */
    String await(CompletableFuture<String> failure) throws InterruptedException {
        try {
            Object first = CompletableFuture.anyOf(stop, failure.thenApply(m -> (Object) ("FAILED:" + m))).get();
            String s = String.valueOf(first);
            return s.startsWith("FAILED:") ? s.substring("FAILED:".length()) : null;
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        }
    }

    /** Runs the drain with a deadline; a drain that overruns exits the process non-zero. */
    static void drain(Runnable close, Duration timeout) {
        CompletableFuture<Void> done = CompletableFuture.runAsync(close, r -> {
            Thread t = new Thread(r, "drain");
            t.start();
        });
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            System.err.println("Drain did not finish within " + timeout.toMillis() + " ms: stopping without it");
            Runtime.getRuntime().halt(Main.EXIT_FAILURE);
        } catch (ExecutionException e) {
            System.err.println("Drain failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
