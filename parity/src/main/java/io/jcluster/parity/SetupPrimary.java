package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Node's test-cluster-setup-primary.js: {@code setupPrimary} with program arguments and silent output. The setup
 * event comes after the call returns, so a listener added right after the call gets it, with the settings in
 * force (the arguments, silent, and the primary's own main class by default). Both workers receive the arguments
 * (each sends back its first one) and are killed.
 */
public final class SetupPrimary {
    public static void main(String[] args) {
        if (Cluster.isPrimary()) {
            Common.deadline(Duration.ofSeconds(15));
            Common.Counted setup = Common.mustCall("setup");
            Common.Counted online = Common.mustCall("online", 2);
            Common.Counted exit = Common.mustCall("exit", 2);
            AtomicInteger correctInput = new AtomicInteger();

            Cluster.setupPrimary(new ClusterSettings().args(List.of("custom argument")).silent(true));
            Cluster.onSetup(settings -> {
                setup.call();
                equal(settings.args(), List.of("custom argument"), "args in the setup event");
                equal(settings.silent(), true, "silent in the setup event");
                equal(settings.mainClass(), SetupPrimary.class.getName(), "mainClass in the setup event");
            });

            Cluster.onOnline(worker -> {
                online.call();
                worker.onMessage(data -> {
                    if (data.asText().equals("custom argument")) {
                        correctInput.incrementAndGet();
                    }
                    worker.kill();
                });
            });
            Cluster.onExit((worker, status) -> {
                if (exit.call() == 2) {
                    equal(correctInput.get(), 2, "workers that received the argument");
                    Common.pass();
                }
            });
            Cluster.fork();
            Cluster.fork();
        } else {
            Cluster.worker().send(args.length > 0 ? args[0] : "(no arguments)");
        }
    }
}
