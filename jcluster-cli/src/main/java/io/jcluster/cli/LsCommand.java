package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.JsonText;
import io.jcluster.contract.Units;
import io.jcluster.control.ControlClient;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jcluster ls}: the clusters in the registry. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "Lists the clusters of this user's registry ($JCLUSTER_HOME, default ~/.jcluster).")
final class LsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    @Spec
    CommandSpec command;

    /** Set when the command runs without picocli ({@link QuickCommands}); else picocli's stream is used. */
    PrintWriter out;

    @Override
    public Integer call() throws Exception {
        Registry registry = Registry.open();
        List<Entry> entries = registry.list();
        PrintWriter out = this.out != null ? this.out : command.commandLine().getOut();
        ArrayNode all = JsonNodeFactory.instance.arrayNode();
        Table t = new Table("NAME", "PID", "STATE", "WORKERS", "UPTIME", "APP");
        for (Entry e : entries) {
            boolean alive = Registry.alive(e);
            String state = alive ? e.state() : "stale (primary died)";
            int workers = alive ? workers(registry, e) : 0;
            String uptime = alive ? Units.formatUptime(Duration.between(Instant.parse(e.started()), Instant.now())) : "-";
            t.row(e.name(), e.pid(), state, alive ? workers : "-", uptime, e.app());
            ObjectNode n = all.addObject();
            n.put("name", e.name());
            n.put("pid", e.pid());
            n.put("state", alive ? e.state() : "stale");
            n.put("workers", workers);
            n.put("started", e.started());
            n.put("app", e.app());
            n.put("logDir", e.logDir());
        }
        if (json) {
            out.println(JsonText.pretty(all));
        } else if (entries.isEmpty()) {
            out.println("no cluster is running (registry: " + registry.home() + ")");
        } else {
            out.print(t.render());
        }
        out.flush();
        return ExitCode.OK.code();
    }

    private static int workers(Registry registry, Entry e) {
        try (ControlClient c = ControlClient.connect(registry, e.name())) {
            JsonNode s = c.request("status", null, null, Duration.ofSeconds(3));
            return s.path("workers").size();
        } catch (RuntimeException x) {
            return e.instances();
        }
    }
}
