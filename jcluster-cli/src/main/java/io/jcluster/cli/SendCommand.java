package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jcluster send NAME JSON}: a message to the workers (Cluster.worker().onMessage). */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Sends a JSON message to every worker of a cluster, or to one with --worker; workers receive it "
                + "with Cluster.worker().onMessage(...).")
final class SendCommand extends ControlCommand implements Callable<Integer> {
    @Parameters(index = "1", paramLabel = "JSON", description = "The message, e.g. '{\"cmd\":\"flush\"}'.")
    String json;

    @Option(names = "--worker", paramLabel = "ID", description = "Only this worker.")
    Integer worker;

    @Override
    public Integer call() {
        JsonNode message;
        try {
            message = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "the message is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (message == null || message.isMissingNode()) {
            throw new CliException(ExitCode.USAGE, "the message is empty; give one JSON value");
        }
        ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.set("message", message);
        if (worker != null) {
            args.put("worker", worker);
        }
        JsonNode r = request("send", args, null, java.time.Duration.ofSeconds(10), ExitCode.FAILED);
        out().println("jcluster: sent to " + r.path("sent").asInt() + " worker(s) of " + name);
        out().flush();
        return ExitCode.OK.code();
    }
}
