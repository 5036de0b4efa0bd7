package io.jcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.launch.Application;
import io.jcluster.launch.Daemon;
import io.jcluster.launch.PrimaryRunner;
import io.jcluster.launch.StartSpec;
import io.jcluster.registry.Registry;
import io.jcluster.supervise.Capacity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jcluster start}: runs an application's main in a cluster of workers, this JVM being the primary. */
@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs APP.jar (its manifest's Main-Class) or --main-class in a cluster of workers: the "
                + "application's main runs in each worker and its listen() shares the primary's port.",
                "Runs in the foreground (right for systemd, containers and Kubernetes) until stopped; --daemon detaches.",
                "Every flag --KEY is also the key KEY of the --config YAML file (the jar is 'app', its arguments 'args'); "
                        + "flags override the file.",
                "Signals: HUP reloads, TTIN/TTOU add/retire one worker, USR2 upgrades the primary, TERM/INT stop gracefully (twice: at once)."},
        footer = {"", "Arguments after -- go to the application. With --main-class, every positional argument does."})
final class StartCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "APP.jar [APP ARGS]", description = "The application jar, then its arguments.")
    List<String> positional = new ArrayList<>();

    @Option(names = "--main-class", paramLabel = "CLASS", description = "The application's main class (instead of a jar's Main-Class).")
    String mainClass;

    @Option(names = {"--classpath", "-cp"}, paramLabel = "CP", description = "The application's classpath (after the jar, if any).")
    String classpath;

    @Option(names = "--name", paramLabel = "NAME", description = "The cluster's name (default: the jar's or main class's name).")
    String name;

    @Option(names = {"--instances", "-i"}, paramLabel = "max|N|MIN..MAX", description = "Number of workers; max = one per CPU "
            + "(default: max); MIN..MAX (e.g. 2..8): start MIN, add one while the workers stay busy, retire one while idle.")
    String instances;

    @Option(names = "--force", description = "Start the workers even beyond what the machine can hold (more than "
            + Capacity.WORKERS_PER_CPU + " per CPU, or more than its available memory fits).")
    Boolean force;

    @Option(names = "--config", paramLabel = "FILE", description = "A YAML file with any of these settings.")
    Path config;

    @Option(names = "--daemon", description = "Detach: run in the background, write a pid file and log files, return once up.")
    Boolean daemon;

    @Option(names = Daemon.CHILD_FLAG, hidden = true)
    boolean daemonChild;

    @Option(names = "--jvm-args", paramLabel = "FLAGS", description = "Extra JVM flags for each worker, e.g. \"-Xmx256m\".")
    String jvmArgs;

    @Option(names = "--env", paramLabel = "KEY=VALUE", description = "An environment variable for the workers (repeatable).")
    List<String> env;

    @Option(names = "--max-memory", paramLabel = "SIZE", description = "Recycle a worker whose RSS stays over SIZE (e.g. 512M).")
    String maxMemory;

    @Option(names = "--max-requests", paramLabel = "N", description = "Recycle a worker after N requests (0: never).")
    String maxRequests;

    @Option(names = "--max-requests-jitter", paramLabel = "N", description = "Add 0..N at random to each worker's --max-requests.")
    String maxRequestsJitter;

    @Option(names = "--hang-timeout", paramLabel = "DURATION", description = "Dump and replace a worker whose event loop "
            + "misses heartbeats this long; 'off' never (default: 30s).")
    String hangTimeout;

    @Option(names = "--ready-timeout", paramLabel = "DURATION", description = "How long a new worker has to listen (default: 60s).")
    String readyTimeout;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", description = "How long a stopping worker may drain before it "
            + "is killed, for stop, reload, scale and recycling (default: 30s).")
    String drainTimeout;

    @Option(names = "--reload-parallel", paramLabel = "K", description = "Workers replaced at once by a SIGHUP reload (default: 1).")
    String reloadParallel;

    @Option(names = "--autorestart", negatable = true, description = "Restart workers that die (default: on).")
    Boolean autorestart;

    @Option(names = "--restart-delay", paramLabel = "DURATION", description = "Back-off after the second quick crash (default: 100ms).")
    String restartDelay;

    @Option(names = "--restart-backoff", paramLabel = "FACTOR", description = "Back-off factor per further crash (default: 2).")
    String restartBackoff;

    @Option(names = "--restart-max-delay", paramLabel = "DURATION", description = "Longest back-off (default: 15s).")
    String restartMaxDelay;

    @Option(names = "--restart-reset-after", paramLabel = "DURATION", description = "Uptime after which a crash is not quick (default: 10s).")
    String restartResetAfter;

    @Option(names = "--max-restarts", paramLabel = "N", description = "Crash loop: more restarts of a worker than N within "
            + "--restart-window, or more than N crashes in a row each sooner than --restart-reset-after after its start,"
            + " stop restarting it (default: 10).")
    String maxRestarts;

    @Option(names = "--restart-window", paramLabel = "DURATION", description = "See --max-restarts (default: 60s).")
    String restartWindow;

    @Option(names = "--log-dir", paramLabel = "DIR", description = "Where the log files go (default: $JCLUSTER_HOME/logs/NAME).")
    String logDir;

    @Option(names = "--log-max-size", paramLabel = "SIZE", description = "Rotate a log file at this size (default: 10M).")
    String logMaxSize;

    @Option(names = "--log-max-files", paramLabel = "N", description = "Rotated files kept per log (default: 5).")
    String logMaxFiles;

    @Option(names = "--agent", paramLabel = "auto|on|off", description = "Run the application as it is, with "
            + "jcluster's agent serving its server sockets from the primary (on), or through jcluster's API (off); "
            + "auto: off when its classes use jcluster's API (default: auto).")
    String agent;

    @Option(names = "--admin", paramLabel = "[HOST:]PORT|off", description = "Serve the admin endpoint here: "
            + "/healthz, /readyz, /metrics, /api/status, /api/events and the dashboard at / (HOST defaults to 127.0.0.1; "
            + "default: off).")
    String admin;

    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "Allow reload and scale through the admin "
            + "endpoint with 'Authorization: Bearer TOKEN' (also env JCLUSTER_ADMIN_TOKEN; without it the endpoint is read-only).")
    String adminToken;

    @Option(names = "--min-ready", paramLabel = "N", description = "/readyz answers 503 while fewer than N workers listen (default: 1).")
    String minReady;

    @Option(names = "--balance", paramLabel = "rr|least-connections|sticky", description = "Which worker gets each new "
            + "connection: rr in turn, least-connections the one with the fewest open, sticky the same one for the same "
            + "client IP address (default: rr).")
    String balance;

    @Option(names = "--spares", paramLabel = "K", description = "Also start K hot spares: listening, out of rotation; "
            + "one takes a dead worker's place at once (default: 0; needs jcluster's API, not --agent).")
    String spares;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws Exception {
        StartSpec spec = new StartSpec();
        if (config != null) {
            spec.load(config);
        }
        Path cwd = Path.of("").toAbsolutePath();
        ObjectNode flags = flags();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) flags::fields) {
            spec.set(e.getKey(), e.getValue(), cwd, "--" + e.getKey());
        }
        applyPositional(spec, cwd);
        spec.checkCapacity(Capacity.probe());
        Application app = Application.resolve(spec);
        if (spec.spares > 0 && io.jcluster.launch.UnmodifiedApp.applies(spec)) {
            throw new CliException(ExitCode.USAGE, "--spares needs an application that uses jcluster's API: an unmodified"
                    + " server (run with jcluster's agent) accepts on the shared listening socket itself, so a spare could"
                    + " not be kept out of rotation; start it without --spares (or with --agent off if it uses jcluster)");
        }
        String clusterName = spec.name != null ? spec.name : defaultName(spec, app);
        List<String> all = command.commandLine().getParseResult().originalArgs();
        int self = all.indexOf(command.name()); // the parse result may hold the parent's arguments too
        List<String> args = new ArrayList<>(all.subList(self < 0 ? 0 : self + 1, all.size()));
        int dashes = args.indexOf("--");
        for (int i = dashes < 0 ? args.size() - 1 : dashes - 1; i >= 0; i--) {
            if (args.get(i).equals("--daemon") || args.get(i).equals(Daemon.CHILD_FLAG)) {
                args.remove(i);
            }
        }
        if (spec.daemon && !daemonChild) {
            Registry registry = Registry.open();
            registry.releaseName(registry.claim(clusterName)); // fail now if the name is taken
            return Daemon.launch(clusterName, spec, args, command.commandLine().getOut(), command.commandLine().getErr());
        }
        // The start arguments are what an upgrade runs again, from this primary's working directory.
        return new PrimaryRunner(clusterName, spec, app, daemonChild, System.out, System.err).withStartArgs(args).run();
    }

    private ObjectNode flags() {
        ObjectNode f = JsonNodeFactory.instance.objectNode();
        put(f, "main-class", mainClass);
        put(f, "classpath", classpath);
        put(f, "name", name);
        put(f, "instances", instances);
        if (daemon != null) {
            f.put("daemon", daemon.toString());
        }
        if (force != null) {
            f.put("force", force.toString());
        }
        put(f, "jvm-args", jvmArgs);
        if (env != null) {
            f.set("env", JsonNodeFactory.instance.arrayNode().addAll(env.stream().map(JsonNodeFactory.instance::textNode).toList()));
        }
        put(f, "max-memory", maxMemory);
        put(f, "max-requests", maxRequests);
        put(f, "max-requests-jitter", maxRequestsJitter);
        put(f, "hang-timeout", hangTimeout);
        put(f, "ready-timeout", readyTimeout);
        put(f, "drain-timeout", drainTimeout);
        put(f, "reload-parallel", reloadParallel);
        if (autorestart != null) {
            f.put("autorestart", autorestart.toString());
        }
        put(f, "restart-delay", restartDelay);
        put(f, "restart-backoff", restartBackoff);
        put(f, "restart-max-delay", restartMaxDelay);
        put(f, "restart-reset-after", restartResetAfter);
        put(f, "max-restarts", maxRestarts);
        put(f, "restart-window", restartWindow);
        put(f, "log-dir", logDir);
        put(f, "log-max-size", logMaxSize);
        put(f, "log-max-files", logMaxFiles);
        put(f, "agent", agent);
        put(f, "admin", admin);
        put(f, "admin-token", adminToken);
        put(f, "min-ready", minReady);
        put(f, "balance", balance);
        put(f, "spares", spares);
        return f;
    }

    private static void put(ObjectNode f, String key, String value) {
        if (value != null) {
            f.put(key, value);
        }
    }

    /**
     * The positional arguments: with --main-class (flag) they are all the application's arguments; otherwise
     * the first is the jar unless the config named the application (then all are arguments).
     */
    private void applyPositional(StartSpec spec, Path cwd) {
        List<String> rest = new ArrayList<>(positional);
        boolean appKnown = mainClass != null || spec.jar != null || spec.mainClass != null;
        if (!rest.isEmpty() && mainClass == null && (!appKnown || rest.get(0).endsWith(".jar"))) {
            spec.set("app", JsonNodeFactory.instance.textNode(rest.remove(0)), cwd, "APP.jar");
        }
        if (!rest.isEmpty()) {
            spec.args = List.copyOf(rest);
        }
    }

    static String defaultName(StartSpec spec, Application app) {
        String base;
        if (spec.jar != null) {
            base = spec.jar.getFileName().toString().replaceFirst("\\.jar$", "");
        } else {
            String m = app.mainClass();
            base = m.substring(m.lastIndexOf('.') + 1);
        }
        base = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceFirst("^[^a-z0-9]+", "");
        if (base.isEmpty()) {
            base = "app";
        }
        return Registry.checkName(base.length() > 64 ? base.substring(0, 64) : base);
    }
}
