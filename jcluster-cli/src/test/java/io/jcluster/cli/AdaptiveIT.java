package io.jcluster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, adaptive size ({@code --instances MIN..MAX}): MIN workers at idle; under load (requests that hold the
 * event loops, so their heartbeats lag) a worker is added, with the decision's reason in the log, in status and in
 * the events; without load one is retired again. Short windows (system properties) keep it lean.
 */
@Timeout(240)
class AdaptiveIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void minAtIdleGrowsUnderLoadAndShrinksBackWithoutFailedRequests() throws Exception {
        Jcluster cli = new Jcluster(home);
        // The default lag threshold (250 ms) stays: an idle worker's lag reached 80 ms on a 2-core machine at load 40.
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", "-Djcluster.adaptive.upWindow=2s"
                + " -Djcluster.adaptive.downWindow=3s -Djcluster.adaptive.downCpu=50");
        try (Jcluster.Running primary = cli.start(env, Jcluster.testApp("ad", 1, "--", "--port", "0").stream()
                .map(a -> a.equals("1") ? "1..2" : a).toList())) {
            // A loaded 2-core machine took over 60 s to boot three workers: a longer bound than awaitUp's.
            int port = Integer.parseInt(primary.await("is up: \\d+ worker\\(s\\) listening on \\S*:(\\d+)",
                    Duration.ofSeconds(180)).group(1));
            assertThat(primary.output()).contains("adaptive size 1..2");
            Thread.sleep(3000); // idle: longer than the up window
            JsonNode idle = status(cli);
            assertThat(idle.get("instances").asText()).isEqualTo("1..2");
            assertThat(serving(idle)).as("MIN at idle").isEqualTo(1);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger failed = new AtomicInteger();
            ExecutorService load = Executors.newFixedThreadPool(4);
            try {
                for (int i = 0; i < 4; i++) {
                    load.execute(() -> {
                        while (!stop.get()) {
                            try {
                                RawHttp r = RawHttp.get(port, "/block?ms=400");
                                if (r.status() != 200) {
                                    failed.incrementAndGet();
                                }
                            } catch (java.io.IOException e) {
                                failed.incrementAndGet();
                            }
                        }
                    });
                }
                primary.await("adaptive: add a worker \\(1 -> 2, range 1\\.\\.2\\): busy for 2s: ", Duration.ofSeconds(90));
                primary.await("adaptive: 2 worker\\(s\\) in rotation now", Duration.ofSeconds(90));
                JsonNode grown = status(cli);
                assertThat(serving(grown)).isEqualTo(2);
                assertThat(grown.get("adaptive").get("action").asText()).isEqualTo("add");
                assertThat(grown.get("adaptive").get("reason").asText()).contains("event-loop lag");
            } finally {
                stop.set(true);
                load.shutdown();
                assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(failed.get()).as("failed requests under load").isZero();
            primary.await("adaptive: retire a worker \\(2 -> 1, range 1\\.\\.2\\): idle for 3s", Duration.ofSeconds(90));
            primary.await("adaptive: 1 worker\\(s\\) in rotation now", Duration.ofSeconds(90));
        }
    }

    private static JsonNode status(Jcluster cli) throws Exception {
        Jcluster.Result r = cli.run("status", "ad", "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        return JSON.readTree(r.out());
    }

    private static int serving(JsonNode s) {
        int n = 0;
        for (JsonNode w : s.get("workers")) {
            if (w.get("state").asText().equals("listening") && !w.has("leaving") && !w.path("spare").asBoolean()) {
                n++;
            }
        }
        return n;
    }
}
