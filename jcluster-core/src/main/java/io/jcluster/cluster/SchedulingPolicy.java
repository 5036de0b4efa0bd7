package io.jcluster.cluster;

import java.util.Locale;

/**
 * How connections reach workers, as Node's {@code cluster.schedulingPolicy}.
 * Overridden by the environment variable {@value #ENV} ({@code rr} or {@code none}).
 */
public enum SchedulingPolicy {
    /** The primary accepts every connection and hands it to the next worker with room (the default). */
    RR,
    /** The primary hands the listening socket to each worker once; workers accept on it and the kernel balances. */
    NONE;

    public static final String ENV = "JCLUSTER_SCHED_POLICY";

    /** The policy named by {@value #ENV}, or {@code fallback} when unset. */
    public static SchedulingPolicy fromEnv(SchedulingPolicy fallback) {
        String v = System.getenv(ENV);
        return v == null || v.isBlank() ? fallback : parse(v);
    }

    public static SchedulingPolicy parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "rr" -> RR;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException(ENV + " must be rr or none, not '" + s + "'");
        };
    }
}
