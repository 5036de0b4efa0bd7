package io.jcluster.cluster;

import java.util.Map;

/**
 * How a worker process ended: its exit code, and the signal that killed it if one did (then {@code code} is
 * 128 + the signal number, as a shell reports it). Java reports a process killed by signal N as exit value
 * 128 + N, so a worker that itself calls {@code System.exit(137)} reads as killed by SIGKILL.
 */
public record ExitStatus(int code, String signal) {
    private static final Map<Integer, String> SIGNALS = Map.ofEntries(
            Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"), Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"),
            Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"), Map.entry(9, "SIGKILL"),
            Map.entry(10, "SIGUSR1"), Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"), Map.entry(13, "SIGPIPE"),
            Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"));

    /** From a {@link Process#exitValue()}. */
    public static ExitStatus of(int exitValue) {
        String sig = exitValue > 128 ? SIGNALS.get(exitValue - 128) : null;
        return new ExitStatus(exitValue, sig);
    }

    public boolean signaled() {
        return signal != null;
    }

    @Override
    public String toString() {
        return signal != null ? signal : "exit code " + code;
    }

    /** The number of a signal name such as {@code SIGTERM} or {@code TERM}. */
    public static int signalNumber(String name) {
        String n = name.startsWith("SIG") ? name : "SIG" + name;
        return SIGNALS.entrySet().stream().filter(e -> e.getValue().equals(n)).mapToInt(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown signal " + name));
    }
}
