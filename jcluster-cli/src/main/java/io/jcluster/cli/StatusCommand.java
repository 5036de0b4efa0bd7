package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.JsonText;
import io.jcluster.contract.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jcluster status NAME}: the cluster and a table of its workers. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows a running cluster and, per worker: id, pid, state, generation, uptime, restarts, "
                + "RSS, CPU %%, open connections and requests served.",
                "RSS and CPU come from /proc; connections and requests from the workers' last heartbeat.",
                "A worker that reports no open connection and no request but accepted connections (an application "
                        + "run as it is: jcluster's agent sees its accepts only) shows those under CONNS, marked *."})
final class StatusCommand extends ControlCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the status as JSON; an error as {\"error\": MESSAGE, \"exit\": STATUS}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode s;
        try {
            s = request("status", null, null, Duration.ofSeconds(10), ExitCode.FAILED);
        } catch (CliException e) {
            if (!json) {
                throw e;
            }
            // A script reading --json gets JSON whatever happens: {"error": "...", "exit": N}, and that exit status.
            ObjectNode error = JsonNodeFactory.instance.objectNode();
            error.put("error", e.getMessage());
            error.put("exit", e.exit().code());
            out().println(JsonText.pretty(error));
            out().flush();
            return e.exit().code();
        }
        if (json) {
            out().println(JsonText.pretty(s));
        } else {
            out().print(render(s));
        }
        out().flush();
        return ExitCode.OK.code();
    }

    /** Under the table when a row's CONNS is {@link #acceptedOnly}: what that number counts. */
    static final String ACCEPTED_LEGEND = "* CONNS: connections accepted since the worker started (its application "
            + "runs as it is: jcluster's agent sees its accepts, not its open connections or requests)";

    static String render(JsonNode s) {
        JsonNode workers = s.path("workers");
        Table t = new Table("ID", "PID", "STATE", "GEN", "UPTIME", "RESTARTS", "RSS", "CPU%", "CONNS", "REQUESTS");
        boolean legend = false;
        for (JsonNode w : workers) {
            String state = w.path("state").asText();
            if (w.has("leaving") && !state.equals("disconnecting")) {
                state = state + " (leaving)";
            }
            if (w.path("spare").asBoolean(false)) {
                state = state + " (spare)";
            }
            JsonNode cpu = w.path("cpuPercent");
            t.row(w.path("id").asInt(), w.path("pid").asLong(), state, w.path("generation").asInt(),
                    Units.formatUptime(Duration.ofSeconds(w.path("uptimeSeconds").asLong())), w.path("restarts").asInt(),
                    Units.formatSize(w.path("rssBytes").asLong(-1)),
                    cpu.isNumber() ? String.format(Locale.ROOT, "%.1f", cpu.asDouble()) : "-",
                    conns(w), w.path("requests").asLong());
            legend |= acceptedOnly(w);
        }
        return head(s) + "\n" + t.render() + (legend ? ACCEPTED_LEGEND + "\n" : "");
    }

    /**
     * A worker that reports no open connection and no request, yet accepted connections: an unmodified application's
     * (the agent counts its server's accepts; it cannot see when a connection closes or what a request is).
     */
    static boolean acceptedOnly(JsonNode w) {
        return w.path("connections").asLong() == 0 && w.path("requests").asLong() == 0
                && w.path("acceptedConnections").asLong(0) > 0;
    }

    /** The CONNS cell: open connections, or the accepted ones marked * ({@link #acceptedOnly}). */
    private static String conns(JsonNode w) {
        return acceptedOnly(w) ? w.path("acceptedConnections").asLong() + "*" : Long.toString(w.path("connections").asLong());
    }

    /** The cluster's line: name, state, primary pid, uptime, generation, workers, addresses. */
    static String head(JsonNode s) {
        JsonNode workers = s.path("workers");
        List<String> head = new ArrayList<>();
        head.add(s.path("name").asText());
        head.add(s.path("state").asText());
        head.add("primary pid " + s.path("pid").asLong());
        head.add("up " + Units.formatUptime(Duration.ofSeconds(s.path("uptimeSeconds").asLong())));
        head.add("generation " + s.path("generation").asInt());
        head.add("workers " + workers.size() + "/" + s.path("target").asInt());
        List<String> addrs = new ArrayList<>();
        s.path("addresses").forEach(a -> addrs.add(a.asText()));
        if (!addrs.isEmpty()) {
            head.add("listening on " + String.join(", ", addrs));
        }
        if (s.hasNonNull("balance")) {
            head.add("balance " + s.path("balance").asText());
        }
        return String.join("  ", head);
    }
}
