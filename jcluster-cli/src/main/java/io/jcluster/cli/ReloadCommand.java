package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jcluster reload NAME}: a rolling, readiness-gated reload. */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Replaces every worker with a new one (a new generation), without dropping requests: the "
                + "replacements start beside the old workers (one at a time unless --parallel) and serve as each "
                + "listens; once every one listens, the old workers leave the rotation, drain (killed at the drain "
                + "timeout) and stop.",
                "If a replacement exits or does not listen within the ready timeout, the reload is rolled back: the new "
                        + "workers are drained and stopped, and the old generation keeps serving (exit status 10)."})
final class ReloadCommand extends ControlCommand implements Callable<Integer> {
    @Option(names = "--parallel", paramLabel = "K", description = "Workers replaced at once (default: the cluster's --reload-parallel, 1).")
    Integer parallel;

    @Override
    public Integer call() {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        if (parallel != null) {
            if (parallel < 1) {
                throw new CliException(ExitCode.USAGE, "--parallel must be at least 1, not " + parallel);
            }
            args.put("parallel", parallel);
        }
        args.put("progress", true);
        Progress p = new Progress(out());
        JsonNode r;
        try {
            r = request("reload", args, p::show, null, ExitCode.RELOAD_FAILED);
        } finally {
            p.end();
        }
        out().println("jcluster: reloaded " + name + ": " + r.path("replaced").asInt() + " worker(s) replaced, generation "
                + r.path("generation").asInt() + " serving");
        printServing(out(), r);
        return ExitCode.OK.code();
    }

    /** The lines after a reload's or restart's: what serves now, and what went wrong on the way. */
    static void printServing(java.io.PrintWriter out, JsonNode r) {
        if (r.has("servingList")) {
            out.println("jcluster: now serving: " + r.path("servingList").asText());
        }
        if (r.has("warning")) {
            out.println("jcluster: warning: " + r.path("warning").asText());
        }
        out.flush();
    }

    /** Redraws one line on a terminal; prints a line per step otherwise (logs, pipes). */
    static final class Progress {
        private final java.io.PrintWriter out;
        private final boolean tty = System.console() != null;
        private boolean drawn;

        Progress(java.io.PrintWriter out) {
            this.out = out;
        }

        void show(JsonNode e) {
            String line = ProgressBar.render(e.path("done").asInt(), e.path("total").asInt(), e.path("message").asText());
            if (tty) {
                out.print("\r\033[K" + line);
                drawn = true;
            } else {
                out.println(line);
            }
            out.flush();
        }

        void end() {
            if (drawn) {
                out.println();
                out.flush();
            }
        }
    }
}
