package io.jcluster.parity;

import static io.jcluster.parity.Common.equal;
import static io.jcluster.parity.Common.ok;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import java.util.List;

/**
 * Node's test-cluster-setup-primary-cumulative.js: {@code setupPrimary} with nothing set fills in the defaults (the
 * primary's own main class and program arguments, the default worker JVM flags, silent false); each later call
 * changes only what it sets and keeps the rest. Forks nothing. The test runs it with the arguments
 * {@code alpha beta}.
 */
public final class SetupPrimaryCumulative {
    public static void main(String[] args) {
        ok(Cluster.isPrimary(), "runs as the primary");

        Cluster.setupPrimary(new ClusterSettings());
        ClusterSettings s = Cluster.settings();
        equal(s.mainClass(), SetupPrimaryCumulative.class.getName(), "default mainClass: the primary's");
        equal(s.args(), List.of(args), "default args: the primary's");
        equal(s.jvmArgs(), ClusterSettings.LEAN_JVM_ARGS, "default jvmArgs");
        equal(s.silent(), false, "default silent");
        Common.log("ok sets defaults");

        Cluster.setupPrimary(new ClusterSettings().mainClass("overridden.Main"));
        equal(Cluster.settings().mainClass(), "overridden.Main", "mainClass after setting it");
        Common.log("ok overrides defaults");

        Cluster.setupPrimary(new ClusterSettings().args(List.of("foo", "bar")));
        s = Cluster.settings();
        equal(s.mainClass(), "overridden.Main", "mainClass kept by a call that sets args");
        equal(s.args(), List.of("foo", "bar"), "args after setting them");

        Cluster.setupPrimary(new ClusterSettings().jvmArgs(List.of("-Dbaz", "-Dbang")));
        s = Cluster.settings();
        equal(s.mainClass(), "overridden.Main", "mainClass kept by a call that sets jvmArgs");
        equal(s.args(), List.of("foo", "bar"), "args kept by a call that sets jvmArgs");
        equal(s.jvmArgs(), List.of("-Dbaz", "-Dbang"), "jvmArgs after setting them");
        Common.log("ok preserves unchanged settings on repeated calls");

        Cluster.setupPrimary(new ClusterSettings());
        s = Cluster.settings();
        equal(s.mainClass(), "overridden.Main", "mainClass kept by an empty call");
        equal(s.args(), List.of("foo", "bar"), "args kept by an empty call");
        equal(s.jvmArgs(), List.of("-Dbaz", "-Dbang"), "jvmArgs kept by an empty call");
        equal(s.silent(), false, "silent kept by an empty call");
        Common.log("ok preserves current settings");
        Common.pass();
    }
}
