package io.jcluster.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.Units;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jcluster stop NAME}: graceful, with a deadline. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stops a cluster gracefully: every worker leaves the rotation and finishes its requests in flight; "
                + "workers still running at the deadline are killed. Returns once the primary has exited.")
final class StopCommand extends ControlCommand implements Callable<Integer> {
    @Option(names = "--timeout", paramLabel = "DURATION", description = "The drain deadline (default: the cluster's --drain-timeout).")
    String timeout;

    @Option(names = "--now", description = "Kill the workers at once (a fast stop).")
    boolean now;

    @Override
    public Integer call() throws Exception {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        if (timeout != null) {
            try {
                args.put("timeoutMillis", Units.duration(timeout).toMillis());
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, "--timeout: " + e.getMessage());
            }
        }
        args.put("now", now);
        Registry registry = Registry.open();
        Optional<Entry> entry = registry.read(name);
        request("stop", args, null, null, ExitCode.FAILED);
        if (entry.isPresent()) {
            Optional<ProcessHandle> p = ProcessHandle.of(entry.get().pid());
            if (p.isPresent()) {
                try {
                    p.get().onExit().get(15, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new CliException(ExitCode.TIMEOUT, "the workers of " + name + " stopped but its primary (pid "
                            + entry.get().pid() + ") has not exited after 15 s");
                }
            }
        }
        out().println("jcluster: stopped " + name);
        out().flush();
        return ExitCode.OK.code();
    }
}
