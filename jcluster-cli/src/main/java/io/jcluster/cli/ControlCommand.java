package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlClient;
import io.jcluster.control.ControlException;
import io.jcluster.registry.Registry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command that talks to a running cluster's control socket. */
abstract class ControlCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The cluster's name ('jcluster ls' lists them).")
    String name;

    @Spec
    CommandSpec command;

    /** Set when the command runs without picocli ({@link QuickCommands}); else picocli's streams are used. */
    private PrintWriter out;
    private PrintWriter err;

    void printTo(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    PrintWriter out() {
        return out != null ? out : command.commandLine().getOut();
    }

    PrintWriter err() {
        return err != null ? err : command.commandLine().getErr();
    }

    /** One request; an error reply becomes a {@link CliException} with {@code onError}. */
    JsonNode request(String cmd, ObjectNode args, Consumer<JsonNode> progress, Duration timeout, ExitCode onError) {
        try (ControlClient c = ControlClient.connect(Registry.open(), name)) {
            return c.request(cmd, args, progress, timeout);
        } catch (ControlException e) {
            throw new CliException(e.exit() != null ? e.exit() : onError, e.getMessage());
        }
    }
}
