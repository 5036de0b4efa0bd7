package io.jcluster.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.admin.AdminServer;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.control.ControlServer;
import io.jcluster.logs.LogSink;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import io.jcluster.supervise.BootResult;
import io.jcluster.supervise.FleetSpec;
import io.jcluster.supervise.Supervisor;
import io.jcluster.primary.Handover;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    private List<String> startArgs;
    /** The demo: the seed's console lines ({@code Primary process PID is running}, {@code Worker PID died}, {@code Error: …}). */
    private boolean seed;
    /** The demo's default admin address: when it cannot be bound, one line says so and the cluster runs without it. */
    private boolean adminOptional;
    /** The admin endpoint while this primary serves it (closed when an upgrade hands the name over, and at exit). */
    private volatile AdminServer admin;

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

    /** The arguments of {@code start} that started this primary (less --daemon): what an upgrade runs again. */
    public PrimaryRunner withStartArgs(List<String> args) {
        this.startArgs = List.copyOf(args);
        return this;
    }

    public int run() throws Exception {
        Registry registry = Registry.open().ensure();
        // Started by an upgrade: the old primary's listening sockets first; the name is taken once the workers listen.
        Handover.Taker incoming = Upgrade.incoming();
        Registry.Claim claim = incoming == null ? registry.claim(name) : null;
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
        Named named = new Named();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAdmin();
            named.close(registry);
            log.close();
        }, "jcluster-registry-cleanup"));
        if (incoming == null) {
            try {
                named.take(registry, claim, entry, sup, log);
                startAdmin(sup, log);
            } catch (CliException e) {
                named.close(registry);
                log.close();
                throw e;
            }
        } else {
            log.event(name + ": upgrade: took " + incoming.received() + " listening socket(s) from the old primary");
        }
        if (spec.admin == null && spec.adminToken != null) {
            log.warn("--admin-token without --admin: no admin endpoint is served, so the token is not used");
        }
        PrimarySignals.install(sup, spec, log);
        boolean agent = UnmodifiedApp.applies(spec); // looks through the application's classes: once
        ClusterSettings settings = app.clusterSettings(spec, log, agent, fleet.memoryPerWorker());
        BootJarCopy copy = agent ? BootJarCopy.of(spec) : null;
        if (agent) {
            log.event(app.description() + " runs as it is, with jcluster's agent: its server sockets are the primary's"
                    + " (--agent off runs it through jcluster's API instead)");
            String hint = copy == null ? UnmodifiedApp.classDataHint(spec) : null;
            if (hint != null) {
                log.event(hint);
            }
        }
        if (copy != null) {
            Path[] running = {copy.current(log)};
            settings.jar(running[0]);
            // A reload or restart runs the jar as it is on disk then: a changed jar gets its own copy first, and a
            // reload that fails goes back to the copy in service. (The hook keeps `copy` for this primary's life.)
            sup.aroundReplace(() -> {
                Path before = running[0];
                Path now = copy.current(log);
                if (!now.equals(before)) {
                    running[0] = now;
                    io.jcluster.cluster.Cluster.setupPrimary(new ClusterSettings().jar(now));
                }
                return ok -> {
                    if (!ok && !now.equals(before)) {
                        running[0] = before;
                        io.jcluster.cluster.Cluster.setupPrimary(new ClusterSettings().jar(before));
                        log.event("the workers keep running " + before + " (the reload or restart did not complete)");
                    } else if (ok) {
                        copy.releaseAllBut(now); // the old workers are gone: older copies may be pruned
                    }
                };
            });
        }
        sup.install(settings);
        if (seed) {
            io.jcluster.cluster.Cluster.onExit((w, s) -> out.println("Worker " + w.pid() + " died"));
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
            if (incoming == null) { // an upgrade's new primary has no entry: the old one's stays
                registry.write(entry.withState("failed", boot.problem().message()));
            }
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
        io.jcluster.primary.ListenSockets.get().unusedOnce().forEach(u ->
                log.warn("the listening socket " + u + " was given to this primary, but no worker listens on its address"));
        if (incoming != null) {
            // Ready: the old primary stops accepting and lets go of the name, which this one takes.
            boolean go = incoming.ready(Duration.ofSeconds(30));
            incoming.close();
            named.take(registry, registry.claimWithin(name, Duration.ofSeconds(go ? 10 : 60)), entry, sup, log);
            startAdmin(sup, log); // the old primary closed its endpoint before it let go of the name
            log.event(name + ": upgrade: this primary (pid " + pid + ") serves " + name + " now");
        }
        if (!sup.stopping()) {
            registry.write(entry.withState("running", null));
        }
        log.event(name + " is up: " + boot.workers() + " worker(s)"
                + (boot.addresses().isEmpty() ? "" : " listening on " + String.join(", ", boot.addresses()))
                + (spec.spares > 0 ? ", " + spec.spares + " hot spare(s) out of rotation" : "")
                + (spec.adaptive() ? ", adaptive size " + spec.instances : "")
                + "; 'jcluster status " + name + "' shows them, 'jcluster stop " + name + "' stops them");
        int status = sup.terminated().get();
        named.awaitIdle(); // the reply to 'stop' goes out before we exit
        return status;
    }

    /**
     * The name while this primary holds it: the claim, the control socket, the entry. Taken at the start, or after
     * an upgrade's new primary is ready; released at exit (the files only if no new primary wrote its own since).
     */
    private final class Named {
        private volatile Registry.Claim claim;
        private volatile ControlServer server;

        void take(Registry registry, Registry.Claim c, Entry entry, Supervisor sup, LogSink log) {
            Upgrade upgrade = new Upgrade(name, spec, sup, log, Path.of(entry.logDir()), startArgs, registry, c,
                    PrimaryRunner.this::closeAdmin);
            try {
                server = ControlServer.start(registry.socket(name),
                        (cmd, args, progress, hangup) -> handle(sup, registry, upgrade, cmd, args, progress, hangup));
            } catch (RuntimeException e) {
                registry.release(c);
                throw new CliException(ExitCode.FAILED, e.getMessage());
            }
            claim = c;
            registry.write(entry);
            registry.writePid(name, entry.pid());
            PrimarySignals.upgradeOn(upgrade, log);
        }

        void awaitIdle() throws InterruptedException {
            if (server != null) {
                server.awaitIdle(Duration.ofSeconds(3));
            }
        }

        void close(Registry registry) {
            if (server != null) {
                server.close();
            }
            if (claim != null) {
                registry.release(claim);
            }
        }
    }

    /**
     * The admin endpoint, when asked for ({@code --admin}), printed as {@code Dashboard: URL}. An address that
     * cannot be bound is an error ({@link ExitCode#ADMIN_UNAVAILABLE}), or one line for the demo's default.
     */
    private void startAdmin(Supervisor sup, LogSink log) {
        if (spec.admin == null) {
            return;
        }
        try {
            admin = AdminEndpoint.start(spec.admin, sup, spec);
        } catch (IOException e) {
            if (!adminOptional) {
                throw new CliException(ExitCode.ADMIN_UNAVAILABLE, e.getMessage() + "; give --admin another "
                        + "[HOST:]PORT, or --admin off");
            }
            (seed ? out : err).println(e.getMessage() + "; running without it (--admin PORT picks another)");
            return;
        }
        if (seed) {
            out.println("Dashboard: " + admin.url());
        } else {
            log.event("Dashboard: " + admin.url());
        }
    }

    private void closeAdmin() {
        AdminServer a = admin;
        admin = null;
        if (a != null) {
            a.close();
        }
    }

    private static void awaitStop(Supervisor sup) throws InterruptedException {
        try {
            sup.terminated().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // exiting anyway; the workers exit when their primary is gone
        }
    }

    private JsonNode handle(Supervisor sup, Registry registry, Upgrade upgrade, String command, JsonNode args,
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
                case "upgrade":
                    return upgrade.run();
                case "send": {
                    if (!args.has("message")) {
                        throw new ControlException("send needs a message");
                    }
                    return sup.send(args.get("message"), args.path("worker").asInt(-1));
                }
                default:
                    throw new ControlException("unknown command '" + command
                            + "' (known: ping, status, reload, restart, scale, stop, send, upgrade)");
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }
}
