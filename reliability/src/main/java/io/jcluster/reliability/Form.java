package io.jcluster.reliability;

import java.time.Duration;

/**
 * How long and how hard each scenario runs: {@link #SHORT} in {@code mvn verify} (about 2 minutes in all on
 * 2 cores), {@link #LONG} in {@code reliability/run.sh}.
 *
 * @param chaos            load time of the chaos run (a worker is killed every {@code killEvery})
 * @param killEvery        time between kills
 * @param graceful         load time around each graceful path
 * @param leakConnections  {@code Connection: close} connections of the leak run
 * @param baseline         time the latency baseline is measured in the bad-input run
 * @param attack           time the bad clients run (at least the headers timeout plus a margin)
 * @param headersTimeoutMs the workers' headers timeout in the bad-input run (0: the default, 10 s)
 */
public record Form(String name, Duration chaos, Duration killEvery, Duration graceful, int leakConnections,
                   Duration baseline, Duration attack, long headersTimeoutMs) {

    /**
     * The graceful paths' load runs 3 s: the disconnect or retire comes after 1 s and its worker is gone ~0.5 s
     * later (measured: 430-510 ms), so the load covers the whole drain and goes on after it.
     */
    public static final Form SHORT = new Form("short", Duration.ofSeconds(10), Duration.ofSeconds(2),
            Duration.ofSeconds(3), 10_000, Duration.ofSeconds(3), Duration.ofSeconds(5), 2000);

    public static final Form LONG = new Form("long", Duration.ofSeconds(60), Duration.ofSeconds(2),
            Duration.ofSeconds(12), 100_000, Duration.ofSeconds(10), Duration.ofSeconds(15), 0);

    /** The form named by the system property {@code reliability.form} (default short). */
    public static Form fromProperty() {
        return "long".equals(System.getProperty("reliability.form")) ? LONG : SHORT;
    }

    /**
     * Whether timed bounds are held to their figure (the long form, run on a quiet machine) or checked with a
     * margin a loaded 2-core machine keeps ({@code mvn verify}, with other builds beside it): the behaviour is
     * asserted in both, the tight figure only in the long form and in the docs.
     */
    public boolean strict() {
        return name.equals("long");
    }

    /** {@code tight} in the long form, {@code loose} in the short one (see {@link #strict()}). */
    public long bound(long tight, long loose) {
        return strict() ? tight : loose;
    }

    /** The headers timeout in force in the bad-input run. */
    public Duration headersTimeout() {
        return headersTimeoutMs > 0 ? Duration.ofMillis(headersTimeoutMs) : Duration.ofSeconds(10);
    }
}
