package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.net.Transport;
import io.jcluster.worker.Counters;
import io.netty.channel.EventLoopGroup;
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
    void overALoopbackConnectionServedByTheWorkersEventLoopUncounted() throws Exception {
        EventLoopGroup loop = Transport.newGroup(1, "warm-up-test", true);
        try {
            long requests = Counters.requests();
            long connections = Counters.connections();
            App app = Warmup.app(new HttpOptions());
            // every round's four responses and the last one's close were read (it throws otherwise)
            assertThat(Warmup.overLoopback(app, loop, TimeUnit.SECONDS.toNanos(30))).isEqualTo(Warmup.LOOPBACK_ROUNDS);
            assertThat(Counters.requests()).isEqualTo(requests);
            assertThat(Counters.connections()).isEqualTo(connections);
            // Called on the event loop itself (a listen from a callback) it would wait for itself: skipped.
            assertThat(loop.submit(() -> Warmup.overLoopback(app, loop, TimeUnit.SECONDS.toNanos(30)))
                    .get(30, TimeUnit.SECONDS)).isZero();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
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
