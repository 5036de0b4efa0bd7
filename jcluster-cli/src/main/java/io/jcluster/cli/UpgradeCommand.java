package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jcluster.contract.ExitCode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code jcluster upgrade NAME}: a new primary takes over the listening sockets; the port never closes. */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
        description = {"Replaces the primary of NAME without closing its port, as nginx's and Gunicorn's upgrades "
                + "(SIGUSR2 to the primary does the same): a new primary starts with the same start arguments (the "
                + "config file read again, the jcluster jar and the application as they are on disk now), receives "
                + "the listening sockets over a Unix socket, and starts its workers; once they listen, the old primary "
                + "stops accepting, drains its workers and exits, and NAME is the new primary's.",
                "If the new primary does not become ready, it is stopped and the old one keeps serving (exit status 12)."})
final class UpgradeCommand extends ControlCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        // The new primary's JVM start, then its workers' ready timeout: the old primary bounds both.
        JsonNode r = request("upgrade", JsonNodeFactory.instance.objectNode(), p -> { }, Duration.ofMinutes(10),
                ExitCode.UPGRADE_FAILED);
        out().println("jcluster: upgraded " + name + ": primary pid " + r.path("from").asLong() + " -> "
                + r.path("to").asLong() + " (" + r.path("sockets").asInt() + " listening socket(s) handed over); the old "
                + "primary drains its workers and exits");
        out().flush();
        return ExitCode.OK.code();
    }
}
