package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlClient;
import io.jcluster.control.ControlException;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jcluster monit NAME}: the worker table and per-worker sparklines, from the primary's status once a
 * second. On a terminal it redraws in place until {@code q}; otherwise it prints one plain snapshot a second.
 * The frame itself is {@link MonitView}'s.
 */
@Command(name = "monit", mixinStandardHelpOptions = true,
        description = {"Watches a running cluster live, like 'pm2 monit': its workers and their sparklines, refreshed "
                + "every second. Per worker: id, pid, state, generation, uptime, restarts (RST), RSS, CPU %%, "
                + "requests/s, open connections, heartbeat lag (where the primary reports it); sparklines of "
                + "requests/s, CPU and RSS.",
                "On a terminal: q quits. Otherwise (a pipe, a file): one plain snapshot a second.",
                "Ends with status 3 when the cluster stops, 4 when its primary died."})
final class MonitCommand extends ControlCommand implements Callable<Integer> {
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(10);
    /** How long a primary whose connection ended may take to exit before monit says it does not answer. */
    static final Duration EXIT_GRACE = Duration.ofSeconds(15);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = {"-n", "--iterations"}, paramLabel = "N", description = "Stop after N refreshes (default: until q, "
            + "or until the cluster stops).")
    int iterations;

    @Override
    public Integer call() throws Exception {
        if (iterations < 0) {
            throw new CliException(ExitCode.USAGE, "--iterations must be 0 (no limit) or more, not " + iterations);
        }
        Registry registry = Registry.open();
        Entry entry = registry.live(name);
        MonitHistory history = new MonitHistory();
        Terminal term = null;
        if (Terminal.stdoutIsTerminal()) {
            try {
                term = Terminal.open();
            } catch (java.io.IOException e) { // no stty, or a terminal it cannot set: plain snapshots still work
                err().println("jcluster: cannot take the terminal (" + e.getMessage() + "); printing plain snapshots");
            }
        }
        try (ControlClient client = ControlClient.connect(registry, name); Terminal t = term) {
            boolean unicode = t != null ? t.unicode() : Terminal.utf8Locale();
            for (int frame = 1; ; frame++) {
                JsonNode status;
                try {
                    status = client.request("status", null, null, STATUS_TIMEOUT);
                } catch (CliException | ControlException e) {
                    throw ended(registry, entry, e);
                }
                history.record(status, System.nanoTime());
                String clock = LocalTime.now().format(CLOCK);
                if (t != null) {
                    int[] size = t.size();
                    t.draw(MonitView.render(status, history, size[1], size[0], "q quits  |  refreshed every second, "
                            + "last at " + clock, unicode));
                } else {
                    PrintWriter out = out();
                    MonitView.render(status, history, 0, 0, "at " + clock, unicode).forEach(out::println);
                    out.println();
                    out.flush();
                }
                if (iterations > 0 && frame >= iterations) {
                    return ExitCode.OK.code();
                }
                if (t != null ? t.awaitQuit(1000) : sleep(1000)) {
                    return ExitCode.OK.code();
                }
            }
        }
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return false;
    }

    /**
     * The status request failed: the cluster stopped (status 3), its primary died (4, its leftovers removed), or it
     * does not answer (the request's own error).
     */
    private CliException ended(Registry registry, Entry entry, RuntimeException why) throws InterruptedException {
        long deadline = System.nanoTime() + EXIT_GRACE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!Registry.alive(entry)) {
                boolean leftovers = registry.read(name).filter(e -> e.pid() == entry.pid()).isPresent();
                if (leftovers) {
                    registry.removeFiles(name);
                    return new CliException(ExitCode.STALE, name + "'s primary (pid " + entry.pid() + ") died without "
                            + "stopping; its control socket was stale and was removed");
                }
                return new CliException(ExitCode.NO_SUCH_CLUSTER, name + " stopped: its primary (pid " + entry.pid()
                        + ") has exited");
            }
            Thread.sleep(100);
        }
        return why instanceof CliException c ? c : new CliException(ExitCode.FAILED, why.getMessage(), why);
    }
}
