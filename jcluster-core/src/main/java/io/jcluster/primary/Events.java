package io.jcluster.primary;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.BootFailure;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.ListenException;
import io.jcluster.cluster.Worker;
import io.jcluster.internal.Listeners;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Internal: the cluster-wide listeners of the primary ({@code Cluster.onFork} …), fired on its supervisor
 * thread only.
 */
public final class Events {
    public final Listeners<Consumer<Worker>> fork = new Listeners<>("fork");
    public final Listeners<Consumer<Worker>> online = new Listeners<>("online");
    public final Listeners<BiConsumer<Worker, InetSocketAddress>> listening = new Listeners<>("listening");
    public final Listeners<Consumer<Worker>> disconnect = new Listeners<>("disconnect");
    public final Listeners<BiConsumer<Worker, ExitStatus>> exit = new Listeners<>("exit");
    public final Listeners<BiConsumer<Worker, JsonNode>> message = new Listeners<>("message");
    public final Listeners<Consumer<ClusterSettings>> setup = new Listeners<>("setup");
    public final Listeners<BiConsumer<Worker, Duration>> unresponsive = new Listeners<>("unresponsive");
    public final Listeners<BiConsumer<Worker, ListenException>> listenError = new Listeners<>("listenError");
    public final Listeners<BiConsumer<Worker, String>> giveUp = new Listeners<>("giveUp");
    public final Listeners<BiConsumer<Worker, BootFailure>> bootFailure = new Listeners<>("bootFailure");
}
