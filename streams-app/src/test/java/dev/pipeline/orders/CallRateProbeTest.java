package dev.pipeline.orders;

import com.sun.net.httpserver.HttpServer;
import dev.pipeline.observe.PipelineMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallRateProbeTest {
    @Test
    void probe() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                TimeUnit.MILLISECONDS.sleep(5);
                ex.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/a");
        for (long loopMs : new long[] {1, 50}) {
            HttpAuthorizer a = new HttpAuthorizer(url, 2000, 8, "probe");
            AuthorizationCalls calls = new AuthorizationCalls(a, CircuitBreaker.ofDefaults("p" + loopMs),
                    PipelineMetrics.inMemory().externalCall("orders"), 8);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            long done = 0;
            int id = 0;
            while (System.nanoTime() < end) {
                while (calls.poll() != null) {
                    done++;
                }
                while (calls.hasRoom()) {
                    calls.start("o" + id, new Authorizer.Request("e" + id, "o" + id, "c", 1, "EUR"));
                    id++;
                }
                Thread.sleep(loopMs);
            }
            System.out.println("PROBE loop " + loopMs + " ms: " + done / 4 + " calls/s");
            calls.close();
        }
        server.stop(0);
    }
}
