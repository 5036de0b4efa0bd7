package io.jcluster.worker;

import io.jcluster.ipc.Message.Stats;
import io.netty.channel.Channel;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: once a second, on its own daemon thread ({@code jcluster-worker-stats}, never an event loop), sends the
 * primary a {@link Stats} report: heap in use, the total of the GC pauses, connections accepted, the request-duration
 * histogram ({@link RequestDurations}) and the application's metrics ({@link AppMetricsSource}). Ends with the link.
 */
final class StatsReporter {
    private static final Logger log = LoggerFactory.getLogger(StatsReporter.class);
    static final long PERIOD_MS = 1000;

    private final Channel control;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<GarbageCollectorMXBean> pauses = pauseCollectors();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jcluster-worker-stats");
        t.setDaemon(true);
        return t;
    });

    private StatsReporter(Channel control) {
        this.control = control;
    }

    /** Starts reporting on {@code control}, the worker's control link; it stops when the link closes. */
    static void start(Channel control) {
        StatsReporter r = new StatsReporter(control);
        r.thread.scheduleWithFixedDelay(r::report, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
        control.closeFuture().addListener(f -> r.thread.shutdownNow());
    }

    private void report() {
        try {
            if (control.isActive()) {
                control.writeAndFlush(collect(), control.voidPromise());
            }
        } catch (RuntimeException | LinkageError e) {
            log.warn("could not report this worker's stats to the primary", e);
        }
    }

    Stats collect() {
        long[] counts = RequestDurations.counts();
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return new Stats(memory.getHeapMemoryUsage().getUsed(), gcPauseNanos(), Counters.accepted(),
                n == 0 ? new long[0] : counts, RequestDurations.sumNanos(), AppMetricsSource.collect());
    }

    private long gcPauseNanos() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : pauses) {
            long t = gc.getCollectionTime();
            if (t > 0) {
                ms += t;
            }
        }
        return ms * 1_000_000;
    }

    /**
     * The collectors whose time is pause time: not the concurrent ones (G1's "G1 Concurrent GC" since JDK 21,
     * ZGC's and Shenandoah's "… Cycles"), whose time runs beside the application.
     */
    static List<GarbageCollectorMXBean> pauseCollectors() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> isPause(gc.getName()))
                .toList();
    }

    static boolean isPause(String collector) {
        String n = collector.toLowerCase(Locale.ROOT);
        return !n.contains("concurrent") && !n.contains("cycles");
    }
}
