package io.jcluster.supervise;

import io.jcluster.contract.Units;
import java.time.Duration;
import java.util.Locale;

/**
 * Adaptive size ({@code --instances MIN..MAX}): from one load sample a second, whether to add a worker, retire one,
 * or keep the size. A pure value fed samples with their time (unit-tested without processes); the policy thread
 * feeds it and {@link Scale} carries a decision out.
 *
 * <p>The signal: each worker's CPU, as a share of one core (from {@code /proc}, sampled every second for the recycling
 * policies already, so free), averaged over the workers in rotation, and their event loops' lag (the heartbeat's round
 * trip, which the primary measures anyway). A worker runs one event loop by default, so a worker near one core is a
 * saturated loop, and a lagging heartbeat is a loop that is behind whatever the CPU says (a loaded machine). Pending
 * hand-offs were not chosen: with keep-alive connections the primary hands off only at connect, so they stay at 0
 * under a load that saturates every worker.
 *
 * <p>The lag threshold is high by default (250 ms) because a heartbeat's round trip also holds the machine's own
 * scheduling delay: on a 2-core machine at load 40 an idle worker's lag was 80 ms, and more workers do not help that.
 *
 * <p>Busy: mean CPU at or over {@code upCpu}, or the median lag at or over {@code upLag}; idle: mean CPU at or under
 * {@code downCpu} and the median lag under {@code upLag}. A worker is added once busy lasted {@code upWindow}, retired
 * once idle lasted {@code downWindow}; never beyond MIN..MAX (a count outside it, e.g. while the restart policy
 * replaces a dead worker, is left to that policy and to the operator). After a decision both windows start over.
 */
final class AdaptiveSize {
    /** A decision: {@code delta} +1 or -1, and why, in words. */
    record Decision(int delta, int from, int to, String reason) {
        String action() {
            return delta > 0 ? "add" : "retire";
        }
    }

    /** The thresholds and windows; {@link #fromSystemProperties()} reads {@code jcluster.adaptive.*} overrides. */
    record Settings(double upCpu, double downCpu, Duration upLag, Duration upWindow, Duration downWindow) {
        static final Settings DEFAULT = new Settings(70, 20, Duration.ofMillis(250), Duration.ofSeconds(5),
                Duration.ofSeconds(30));

        static Settings fromSystemProperties() {
            Settings d = DEFAULT;
            return new Settings(
                    Double.parseDouble(System.getProperty("jcluster.adaptive.upCpu", Double.toString(d.upCpu))),
                    Double.parseDouble(System.getProperty("jcluster.adaptive.downCpu", Double.toString(d.downCpu))),
                    duration("jcluster.adaptive.upLag", d.upLag),
                    duration("jcluster.adaptive.upWindow", d.upWindow),
                    duration("jcluster.adaptive.downWindow", d.downWindow));
        }

        private static Duration duration(String property, Duration d) {
            String v = System.getProperty(property);
            return v == null ? d : Units.duration(v);
        }
    }

    private final int min;
    private final int max;
    private final Settings settings;
    private long busySince = -1;
    private long idleSince = -1;

    AdaptiveSize(int min, int max, Settings settings) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("bad range " + min + ".." + max);
        }
        this.min = min;
        this.max = max;
        this.settings = settings;
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }

    /**
     * One sample at {@code nowNanos}: {@code workers} in rotation, their mean CPU in percent of one core (negative:
     * not known yet), their median event-loop lag (null: not known). A decision, or null to keep the size.
     */
    Decision sample(long nowNanos, int workers, double meanCpu, Duration medianLag) {
        boolean lagging = medianLag != null && medianLag.compareTo(settings.upLag) >= 0;
        boolean busy = meanCpu >= settings.upCpu || lagging;
        boolean idle = meanCpu >= 0 && meanCpu <= settings.downCpu && !lagging;
        busySince = busy ? (busySince < 0 ? nowNanos : busySince) : -1;
        idleSince = idle ? (idleSince < 0 ? nowNanos : idleSince) : -1;
        String load = describe(meanCpu, medianLag);
        if (busy && workers < max && nowNanos - busySince >= settings.upWindow.toNanos()) {
            restart();
            return new Decision(+1, workers, workers + 1, "busy for " + Units.formatDuration(settings.upWindow) + ": "
                    + load + " (adds at CPU >= " + pct(settings.upCpu) + " or lag >= "
                    + settings.upLag.toMillis() + " ms)");
        }
        if (idle && workers > min && nowNanos - idleSince >= settings.downWindow.toNanos()) {
            restart();
            return new Decision(-1, workers, workers - 1, "idle for " + Units.formatDuration(settings.downWindow) + ": "
                    + load + " (retires at CPU <= " + pct(settings.downCpu) + ")");
        }
        return null;
    }

    /** Both windows start over (after a decision, or while an operation changes the workers). */
    void restart() {
        busySince = -1;
        idleSince = -1;
    }

    private static String describe(double cpu, Duration lag) {
        return "mean worker CPU " + (cpu < 0 ? "unknown" : pct(cpu)) + ", event-loop lag "
                + (lag == null ? "unknown" : String.format(Locale.ROOT, "%.1f ms", lag.toNanos() / 1e6));
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", v);
    }
}
