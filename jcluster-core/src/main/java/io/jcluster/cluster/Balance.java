package io.jcluster.cluster;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which worker the primary hands a new connection to under {@link SchedulingPolicy#RR} (under
 * {@link SchedulingPolicy#NONE} the kernel chooses, and this has no effect). Set with
 * {@link ClusterSettings#balance(Balance)}, or the CLI's {@code --balance}.
 */
public enum Balance {
    /** The next worker in turn (Node's round-robin): counts new connections, not load. The default. */
    RR("rr"),
    /**
     * The worker with the fewest open connections (handed to it and not closed yet); ties in turn. Workers
     * report closes folded into their acknowledgements, or in one frame per wake-up of their fd link.
     */
    LEAST_CONNECTIONS("least-connections"),
    /**
     * The same client IP address (not its port) reaches the same worker while that worker lives: rendezvous
     * hashing over the workers' slots, so a death or a scale moves only the share of clients it must, and a
     * restarted worker (same slot) gets its clients back.
     */
    STICKY("sticky");

    /** Set by the primary in each worker's environment: the worker reports closes only for least-connections. */
    public static final String ENV = "JCLUSTER_BALANCE";

    private final String label;

    Balance(String label) {
        this.label = label;
    }

    /** The name users write: {@code rr}, {@code least-connections}, {@code sticky}. */
    public String label() {
        return label;
    }

    /** The policy a user named (case-insensitive; {@code round-robin} also means rr). */
    public static Balance parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("round-robin")) {
            return RR;
        }
        for (Balance b : values()) {
            if (b.label.equals(v)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown balance '" + s + "': choose one of " + choices());
    }

    /** {@code rr, least-connections, sticky}. */
    public static String choices() {
        return Arrays.stream(values()).map(Balance::label).collect(Collectors.joining(", "));
    }

    /** The policy named by {@value #ENV} (in a worker), or RR when unset. */
    public static Balance fromEnv() {
        String v = System.getenv(ENV);
        return v == null || v.isBlank() ? RR : parse(v);
    }

    @Override
    public String toString() {
        return label;
    }
}
