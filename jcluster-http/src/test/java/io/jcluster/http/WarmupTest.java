package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.worker.Counters;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void warmsThroughTheWholePipelineWithoutCountingARequest() {
        long requests = Counters.requests();
        long connections = Counters.connections();
        int rounds = Warmup.run(new HttpOptions(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        // every round's four responses were seen (run throws otherwise), and none is the worker's
        assertThat(rounds).isEqualTo(Warmup.ROUNDS);
        assertThat(Counters.requests()).isEqualTo(requests);
        assertThat(Counters.connections()).isEqualTo(connections);
    }

    @Test
    void stopsAtItsDeadline() {
        assertThat(Warmup.run(new HttpOptions(), System.nanoTime() - 1)).isZero();
    }

    @Test
    void neverRunsTheApplicationsRoutesOrMiddleware() {
        AtomicInteger ran = new AtomicInteger();
        App app = App.create()
                .use((req, res, next) -> {
                    ran.incrementAndGet();
                    next.next();
                })
                .get("/", (req, res) -> {
                    ran.incrementAndGet();
                    res.send("mine");
                });
        app.listen("127.0.0.1", 0).join();
        try {
            assertThat(ran).hasValue(0);
        } finally {
            app.close().join();
        }
    }
}
