package io.jcluster.launch;

import io.jcluster.logs.LogSink;
import io.jcluster.primary.Signals;
import io.jcluster.supervise.Supervisor;

/**
 * Signals to the primary, as Gunicorn's arbiter takes them: HUP reloads, TTIN and TTOU add or retire one
 * worker, USR2 upgrades the primary ({@link Upgrade}), TERM and INT stop gracefully (a second one kills the workers at once). The handlers only start the
 * operation; the supervisor runs it. QUIT stops at once (workers killed) through a native hook
 * ({@link QuitSignal}), since HotSpot keeps SIGQUIT for itself; where the hook is missing, a fast stop is
 * {@code jcluster stop NAME --now}, or a second TERM. The handlers go in through the core's {@link Signals}, the one
 * installer (the core's own TERM/INT handling is off for the command line: see {@link Application#clusterSettings}).
 */
final class PrimarySignals {
    private PrimarySignals() {
    }

    static void install(Supervisor sup, StartSpec spec, LogSink log) {
        handle("HUP", log, () -> background(log, "reload", () -> sup.reload(spec.reloadParallel, p -> { })));
        handle("TTIN", log, () -> background(log, "scale up", () -> sup.scale("+1")));
        handle("TTOU", log, () -> background(log, "scale down", () -> sup.scale("-1")));
        handle("TERM", log, () -> sup.stop(spec.drainTimeout, sup.stopping(), "SIGTERM received"));
        handle("INT", log, () -> sup.stop(spec.drainTimeout, sup.stopping(), "SIGINT received"));
        String[] why = new String[1];
        if (!QuitSignal.install(() -> sup.stop(spec.drainTimeout, true, "SIGQUIT received"), why)) {
            log.warn("SIGQUIT is not handled (" + why[0] + "); a fast stop is 'jcluster stop NAME --now'");
        }
    }

    /** USR2 upgrades the primary (as nginx and Gunicorn): installed once this primary holds its name. */
    static void upgradeOn(Upgrade upgrade, LogSink log) {
        handle("USR2", log, () -> background(log, "upgrade", upgrade::run));
    }

    interface Op {
        Object run() throws Exception;
    }

    private static void handle(String signal, LogSink log, Runnable action) {
        String why = Signals.handle(signal, s -> action.run());
        if (why != null) {
            String instead = switch (signal) {
                case "HUP" -> "; 'jcluster reload NAME' reloads";
                case "TERM", "INT" -> "; 'jcluster stop NAME' stops";
                default -> "";
            };
            log.warn("cannot handle SIG" + signal + " here: " + why + instead);
        }
    }

    private static void background(LogSink log, String what, Op op) {
        Thread t = new Thread(() -> {
            try {
                op.run();
            } catch (Exception e) {
                Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                log.warn(what + " failed: " + c.getMessage());
            }
        }, "jcluster-signal-" + what.replace(' ', '-'));
        t.setDaemon(true);
        t.start();
    }
}
