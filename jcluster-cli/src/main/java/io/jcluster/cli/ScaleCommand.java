package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import io.jcluster.supervise.Capacity;
import io.jcluster.supervise.ScaleSpec;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jcluster scale NAME N|+K|-K}. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Sets the number of workers: N, or +K / -K more or fewer. New workers must listen within the "
                + "ready timeout; going down retires the oldest first, each drained before it stops.",
                "A count the machine cannot hold (more than " + Capacity.WORKERS_PER_CPU + " workers per CPU, or more "
                        + "new workers than its available memory fits at the running workers' RSS) is refused "
                        + "(exit status 2) unless --force. Ctrl-C, or 'jcluster stop', cancels a scale up in progress: "
                        + "the new workers already listening are kept, the others stopped."})
final class ScaleCommand extends ControlCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "N|+K|-K", description = "The new number of workers, or a change.")
    String count;

    @Option(names = "--force", description = "Scale even beyond what the machine's CPUs and memory can hold.")
    boolean force;

    @Override
    public Integer call() {
        try {
            ScaleSpec.check(count);
        } catch (ControlException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("count", count);
        args.put("force", force);
        args.put("progress", true);
        ReloadCommand.Progress p = new ReloadCommand.Progress(out());
        JsonNode r;
        try {
            r = request("scale", args, p::show, null, ExitCode.FAILED);
        } finally {
            p.end();
        }
        out().println("jcluster: scaled " + name + " from " + r.path("from").asInt() + " to " + r.path("to").asInt() + " worker(s)");
        out().flush();
        return ExitCode.OK.code();
    }
}
