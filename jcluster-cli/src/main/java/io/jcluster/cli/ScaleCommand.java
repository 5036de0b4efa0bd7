package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jcluster scale NAME N|+K|-K}. */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Sets the number of workers: N, or +K / -K more or fewer. New workers must listen within the "
                + "ready timeout; going down retires the oldest first, each drained before it stops."})
final class ScaleCommand extends ControlCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "N|+K|-K", description = "The new number of workers, or a change.")
    String count;

    @Override
    public Integer call() {
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.put("count", count);
        JsonNode r = request("scale", args, null, null, ExitCode.FAILED);
        out().println("jcluster: scaled " + name + " from " + r.path("from").asInt() + " to " + r.path("to").asInt() + " worker(s)");
        out().flush();
        return ExitCode.OK.code();
    }
}
