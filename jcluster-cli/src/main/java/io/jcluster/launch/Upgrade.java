package io.jcluster.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.ExitCode;
import io.jcluster.control.ControlException;
import io.jcluster.logs.LogSink;
import io.jcluster.primary.Handover;
import io.jcluster.primary.ListenSockets;
import io.jcluster.registry.Registry;
import io.jcluster.supervise.Supervisor;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code jcluster upgrade NAME} (and SIGUSR2), the old primary's side: it starts a new primary with the same start
 * arguments (the config file read again, the jar on disk, which may be a new version), hands it the listening
 * sockets over a Unix socket ({@link Handover}), and waits until its workers listen. Then it stops accepting, lets
 * go of the name (the new primary takes the registry entry and the control socket) and drains its own workers.
 * A new primary that does not become ready is stopped (it exits); this one keeps serving as if nothing happened.
 */
public final class Upgrade {
    /** Set for the new primary: where the old one offers its sockets. */
    public static final String ENV_SOCKET = "JCLUSTER_UPGRADE_SOCKET";
    /** How long the new primary's JVM may take to ask for the sockets. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** How long the old primary waits, after the hand-over, for what it accepted to reach its workers. */
    static final Duration QUIET_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final StartSpec spec;
    private final Supervisor sup;
    private final LogSink log;
    private final Path logDir;
    private final List<String> startArgs;
    private final Registry registry;
    private final Registry.Claim claim;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Run just before the name is let go: what the new primary must bind itself (the admin endpoint) is closed. */
    private final Runnable handingOver;

    Upgrade(String name, StartSpec spec, Supervisor sup, LogSink log, Path logDir, List<String> startArgs,
            Registry registry, Registry.Claim claim, Runnable handingOver) {
        this.handingOver = handingOver;
        this.name = name;
        this.spec = spec;
        this.sup = sup;
        this.log = log;
        this.logDir = logDir;
        this.startArgs = startArgs;
        this.registry = registry;
        this.claim = claim;
    }

    /**
     * The new primary's side: when an upgrade started this process, the old primary's listening sockets, taken
     * (filed for the workers' listens) before any worker starts; null otherwise.
     */
    static Handover.Taker incoming() throws InterruptedException {
        String path = System.getenv(ENV_SOCKET);
        if (path == null || path.isBlank()) {
            return null;
        }
        try {
            return Handover.Taker.connect(Path.of(path), CONNECT_TIMEOUT);
        } catch (IOException | IllegalStateException e) {
            throw new io.jcluster.contract.CliException(ExitCode.FAILED, "cannot take the listening sockets from the old "
                    + "primary (" + path + "): " + e.getMessage());
        }
    }

    /** Runs one upgrade: the reply; a {@link ControlException} ({@link ExitCode#UPGRADE_FAILED}) when it failed. */
    JsonNode run() throws Exception {
        if (startArgs == null) {
            throw new ControlException(name + " was not started by 'jcluster start': there is no command to start a new "
                    + "primary with");
        }
        if (sup.stopping()) {
            throw new ControlException(name + " is stopping");
        }
        long self0 = ProcessHandle.current().pid();
        if (!registry.read(name).map(e -> e.pid() == self0 && e.state().equals("running")).orElse(false)) {
            throw new ControlException(name + " is not up yet: an upgrade starts once its workers listen");
        }
        if (!running.compareAndSet(false, true)) {
            throw new ControlException("an upgrade of " + name + " is already under way");
        }
        long self = ProcessHandle.current().pid();
        Path socket = registry.home().resolve(name + ".upgrade.sock");
        Path primaryLog = logDir.resolve("primary.log");
        Process p = null;
        boolean handedOver = false;
        try (Handover.Offer offer = Handover.Offer.open(socket)) {
            long logStart = Files.exists(primaryLog) ? Files.size(primaryLog) : 0;
            ProcessBuilder pb = new ProcessBuilder(Daemon.command(startArgs))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(primaryLog.toFile()))
                    .redirectErrorStream(true);
            pb.environment().put(ENV_SOCKET, socket.toString());
            pb.environment().remove(ListenSockets.ENV_FDS);
            pb.environment().remove(ListenSockets.ENV_PID);
            pb.environment().remove(ListenSockets.ENV_NAMES);
            p = pb.start();
            log.event("upgrade: started a new primary (pid " + p.pid() + "); its output goes to " + primaryLog);
            Process proc = p;
            int n = offer.sendSockets(CONNECT_TIMEOUT, proc::isAlive);
            log.event("upgrade: handed " + n + " listening socket(s) to pid " + p.pid() + "; waiting for its workers to listen");
            if (!offer.awaitReady(spec.readyTimeout.plus(Duration.ofSeconds(60)), proc::isAlive)) {
                throw new IOException("its workers did not become ready"
                        + Daemon.lastError(primaryLog, logStart).map(l -> " (" + l.substring("jcluster: ".length()) + ")")
                        .orElse(""));
            }
            offer.stopAccepting(QUIET_TIMEOUT);
            handingOver.run();
            registry.unlock(claim);
            offer.release();
            handedOver = true;
            log.event("upgrade: pid " + p.pid() + " serves " + name + " now; this primary (pid " + self
                    + ") drains its workers and exits");
            sup.stop(spec.drainTimeout, false, "upgraded to pid " + p.pid());
            ObjectNode n2 = JsonNodeFactory.instance.objectNode();
            n2.put("from", self);
            n2.put("to", p.pid());
            n2.put("sockets", n);
            return n2;
        } catch (IOException e) {
            String why = "upgrade of " + name + " failed: the new primary" + (p != null ? " (pid " + p.pid() + ")" : "")
                    + " did not take over: " + e.getMessage() + "; the old primary (pid " + self + ") keeps serving";
            log.warn(why);
            stopNew(p);
            throw new ControlException(why, ExitCode.UPGRADE_FAILED);
        } finally {
            if (!handedOver) {
                running.set(false);
            }
        }
    }

    /** A new primary that failed: a graceful stop (its workers drain), then a kill at the drain deadline. */
    private void stopNew(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(spec.drainTimeout.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
