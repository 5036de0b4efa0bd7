package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.contract.ExitCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code jcluster restart NAME}: every worker replaced at once, not gracefully. */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Restarts every worker at once, not gracefully: a new generation starts, and once it listens "
                + "the old workers are killed without draining (requests in flight on them fail).",
                "Use 'reload' to replace workers without dropping requests. If no new worker becomes ready, the old "
                        + "ones keep serving (exit status 10)."})
final class RestartCommand extends ControlCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        JsonNode r = request("restart", null, null, null, ExitCode.RELOAD_FAILED);
        out().println("jcluster: restarted " + name + ": " + r.path("ready").asInt() + " new worker(s) ready, "
                + r.path("restarted").asInt() + " old one(s) killed" + (r.has("warning") ? " (" + r.path("warning").asText() + ")" : ""));
        if (r.has("servingList")) {
            out().println("jcluster: now serving: " + r.path("servingList").asText());
        }
        out().flush();
        return ExitCode.OK.code();
    }
}
