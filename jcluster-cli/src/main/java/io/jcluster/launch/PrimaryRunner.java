package io.jcluster.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.admin.AdminServer;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import io.jcluster.control.ControlServer;
import io.jcluster.logs.LogSink;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import io.jcluster.supervise.BootResult;
import io.jcluster.supervise.FleetSpec;
import io.jcluster.supervise.Supervisor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code jcluster start} in the foreground: this JVM becomes the primary. It takes the name in the registry,
 * serves the control socket, installs the signal handlers, boots the workers, and returns the exit status
 * once the cluster has stopped.
 */
public final class PrimaryRunner {
    /** How long workers of a failed boot may take to end by themselves (their own error reports) before the stop. */
    static final Duration BOOT_FAILURE_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final StartSpec spec;
    private final Application app;
    private final boolean daemonChild;
    private final PrintStream out;
    private final PrintStream err;
    /** The demo: the seed's console lines ({@code Primary process PID is running}, {@code Worker PID died}, {@code Error: …}). */
    private boolean seed;
    /** The demo's default admin address: when it cannot be bound, one line says so and the cluster runs without it. */
    private boolean adminOptional;

    public PrimaryRunner(String name, StartSpec spec, Application app, boolean daemonChild, PrintStream out, PrintStream err) {
        this.name = name;
        this.spec = spec;
        this.app = app;
        this.daemonChild = daemonChild;
        this.out = out;
        this.err = err;
    }

    /** Speaks as the seed's example does (the demo): see {@link #seed}. */
    public PrimaryRunner seedConsole() {
        this.seed = true;
        return this;
    }

    /** An admin address that cannot be bound is said in one line, not an error (the demo's default). */
    public PrimaryRunner adminOptional() {
        this.adminOptional = true;
        return this;
    }

    public int run() throws Exception {
        Registry registry = Registry.open().ensure();
        Registry.Claim claim = registry.claim(name);
        Path logDir = spec.logDir != null ? spec.logDir : registry.defaultLogDir(name);
        LogSink log = new LogSink(logDir, name, spec.logMaxSize, spec.logMaxFiles, !daemonChild, out, err);
        if (seed) {
            log.plainConsole();
            out.println("Primary process " + ProcessHandle.current().pid() + " is running");
        }
        FleetSpec fleet = spec.fleetSpec();
        Supervisor sup = new Supervisor(name, fleet, app.description(), log);
        long pid = ProcessHandle.current().pid();
        String processStart = ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null);
        Entry entry = new Entry(name, pid, processStart, Instant.now().toString(), registry.socket(name).toString(),
                logDir.toString(), app.description(), spec.instanceCount(), "starting", null);
        ControlServer server;
        try {
            server = ControlServer.start(registry.socket(name), (cmd, args, progress, hangup) -> handle(sup, registry, cmd, args, progress, hangup));
        } catch (RuntimeException e) {
            registry.release(claim);
            log.close();
            throw new CliException(ExitCode.FAILED, e.getMessage());
        }
        AdminServer admin = null;
        if (spec.admin != null) {
            try {
                admin = AdminEndpoint.start(spec.admin, sup, spec);
            } catch (java.io.IOException e) {
                if (!adminOptional) {
                    server.close();
                    registry.release(claim);
                    log.close();
                    throw new CliException(ExitCode.ADMIN_UNAVAILABLE, e.getMessage() + "; give --admin another "
                            + "[HOST:]PORT, or --admin off");
                }
                (seed ? out : err).println(e.getMessage() + "; running without it (--admin PORT picks another)");
            }
        }
        if (spec.admin == null && spec.adminToken != null) {
            log.warn("--admin-token without --admin: no admin endpoint is served, so the token is not used");
        }
        AdminServer adminServer = admin;
        registry.write(entry);
        registry.writePid(name, pid);
        Thread cleanup = new Thread(() -> {
            if (adminServer != null) {
                adminServer.close();
            }
            server.close();
            registry.release(claim);
            log.close();
        }, "jcluster-registry-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        PrimarySignals.install(sup, spec, log);
        boolean agent = UnmodifiedApp.applies(spec); // looks through the application's classes: once
        sup.install(app.clusterSettings(spec, log, agent, fleet.memoryPerWorker()));
        if (seed) {
            io.jcluster.cluster.Cluster.onExit((w, s) -> out.println("Worker " + w.pid() + " died"));
        }
        if (admin != null) {
            if (seed) {
                out.println("Dashboard: " + admin.url());
            } else {
                log.event("Dashboard: " + admin.url());
            }
        }
        if (agent) {
            log.event(app.description() + " runs as it is, with jcluster's agent: its server sockets are the primary's"
                    + " (--agent off runs it through jcluster's API instead)");
        }
        log.event(name + ": starting " + spec.instanceCount() + " worker(s) of " + app.description()
                + " (logs in " + logDir + ")");
        if (fleet.memoryPerWorker() > 0) {
            log.event("memory: " + MemorySplit.describe(fleet.memoryPerWorker(), fleet.memoryBudget())
                    + " as -XX:MaxRAM; --jvm-args -Xmx… sizes the workers instead");
        }

        BootResult boot;
        try {
            boot = sup.boot();
        } catch (Exception e) {
            if (!sup.stopping()) {
                sup.stop(Duration.ofSeconds(5), true, "boot failed");
                err.println("jcluster: " + name + " failed to start: " + (e.getCause() != null ? e.getCause() : e));
                awaitStop(sup);
                return ExitCode.BOOT_FAILED.code();
            }
            awaitStop(sup); // stopped by a signal while booting
            return ExitCode.OK.code();
        }
        if (boot.problem() != null) {
            registry.write(entry.withState("failed", boot.problem().message()));
            if (seed) { // the seed's words and status (its own example has no error path of its own to wait for)
                err.println("Error: " + boot.problem().cause());
                sup.stop(Duration.ofSeconds(5), true, "boot failed");
                awaitStop(sup);
                return ExitCode.FAILED.code();
            }
            sup.letWorkersEnd(BOOT_FAILURE_GRACE); // the application says why in its own words first
            err.println("jcluster: " + name + " failed to start: " + boot.problem().message());
            sup.stop(Duration.ofSeconds(5), true, "boot failed");
            awaitStop(sup);
            return boot.problem().exit().code();
        }
        boot.warnings().forEach(w -> log.warn(w));
        if (!sup.stopping()) {
            registry.write(entry.withState("running", null));
        }
        log.event(name + " is up: " + boot.workers() + " worker(s)"
                + (boot.addresses().isEmpty() ? "" : " listening on " + String.join(", ", boot.addresses()))
                + "; 'jcluster status " + name + "' shows them, 'jcluster stop " + name + "' stops them");
        int status = sup.terminated().get();
        server.awaitIdle(Duration.ofSeconds(3)); // the reply to 'stop' goes out before we exit
        return status;
    }

    private static void awaitStop(Supervisor sup) throws InterruptedException {
        try {
            sup.terminated().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // exiting anyway; the workers exit when their primary is gone
        }
    }

    private JsonNode handle(Supervisor sup, Registry registry, String command, JsonNode args,
                            java.util.function.Consumer<JsonNode> progress,
                            java.util.concurrent.CompletableFuture<Void> hangup) throws Exception {
        try {
            switch (command) {
                case "ping": {
                    ObjectNode n = JsonNodeFactory.instance.objectNode();
                    n.put("name", name);
                    n.put("pid", ProcessHandle.current().pid());
                    return n;
                }
                case "status":
                    return sup.status();
                case "reload": {
                    int parallel = args.path("parallel").asInt(spec.reloadParallel);
                    if (parallel < 1) {
                        throw new ControlException("--parallel must be at least 1");
                    }
                    return sup.reload(parallel, args.path("progress").asBoolean(false) ? progress : p -> { });
                }
                case "restart":
                    return sup.restart();
                case "scale": {
                    JsonNode r = sup.scale(args.path("count").asText(""), args.path("force").asBoolean(false),
                            args.path("progress").asBoolean(false) ? progress : p -> { }, hangup);
                    registry.read(name).ifPresent(e -> registry.write(e.withInstances(r.path("to").asInt())));
                    return r;
                }
                case "stop": {
                    boolean now = args.path("now").asBoolean(false);
                    Duration deadline = args.has("timeoutMillis") ? Duration.ofMillis(args.get("timeoutMillis").asLong())
                            : spec.drainTimeout;
                    registry.read(name).ifPresent(e -> registry.write(e.withState("stopping", null)));
                    sup.stop(deadline, now, "stop requested").get();
                    ObjectNode n = JsonNodeFactory.instance.objectNode();
                    n.put("stopped", true);
                    return n;
                }
                case "send": {
                    if (!args.has("message")) {
                        throw new ControlException("send needs a message");
                    }
                    return sup.send(args.get("message"), args.path("worker").asInt(-1));
                }
                default:
                    throw new ControlException("unknown command '" + command
                            + "' (known: ping, status, reload, restart, scale, stop, send)");
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }
}
