package io.jcluster.primary;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.BootFailure;
import io.jcluster.cluster.WorkerState;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Listening;
import io.jcluster.ipc.Message.UserMessage;
import io.jcluster.ipc.Message.Welcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import io.netty.channel.Channel;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a worker's links tell the primary, turned into its lifecycle: called on the I/O loop by {@link Links},
 * each method only enqueues to the supervisor thread, which moves the worker's state, completes its futures and
 * fires the listeners (the worker's first, then the cluster's).
 */
final class LinkEvents {
    private final Executor supervisor;
    private final Events events;
    /** The primary's own work once a worker's links are up (its IPC socket closed, its alive lock watched). */
    private final Consumer<WorkerHandle> linked;

    LinkEvents(Executor supervisor, Events events, Consumer<WorkerHandle> linked) {
        this.supervisor = supervisor;
        this.events = events;
        this.linked = linked;
    }

    /** Both links authenticated: nobody else may connect any more; what was sent before goes now. */
    void linksUp(WorkerHandle w) {
        linked.accept(w);
        w.control().writeAndFlush(new Welcome(w.id()));
        w.linked();
        supervisor.execute(() -> {
            if (w.state() == WorkerState.SPAWNED) {
                w.transition(WorkerState.ONLINE);
                Heartbeats.started(w);
                w.online.complete(null);
                w.onlineListeners.fire(Runnable::run);
                events.online.fire(l -> l.accept(w));
            }
        });
    }

    void listening(WorkerHandle w, Listening l) {
        InetSocketAddress address = new InetSocketAddress(l.host(), l.port());
        supervisor.execute(() -> {
            if (w.state() == WorkerState.ONLINE) {
                w.transition(WorkerState.LISTENING);
                w.listening.complete(address);
            }
            if (w.state() == WorkerState.LISTENING) {
                w.listeningListeners.fire(c -> c.accept(address));
                events.listening.fire(c -> c.accept(w, address));
            }
        });
    }

    void message(WorkerHandle w, UserMessage m) {
        supervisor.execute(() -> {
            JsonNode node;
            try {
                node = Json.read(m.json());
            } catch (IOException e) {
                w.dropForBadInput("malformed JSON message: " + e.getMessage());
                return;
            }
            w.messageListeners.fire(c -> c.accept(node));
            events.message.fire(c -> c.accept(w, node));
        });
    }

    void pong(WorkerHandle w, Message.Pong p) {
        long received = System.nanoTime();
        supervisor.execute(() -> Heartbeats.pong(w, p, received));
    }

    void stats(WorkerHandle w, Message.Stats s) {
        supervisor.execute(() -> Heartbeats.stats(w, s));
    }

    /** The worker disconnects by itself ({@code own}: Node's exitedAfterDisconnect), or drains on SIGTERM. */
    void disconnecting(WorkerHandle w, boolean own) {
        supervisor.execute(() -> {
            if (own) {
                w.markDisconnecting();
            }
            if (w.state().next().contains(WorkerState.DISCONNECTING)) {
                w.transition(WorkerState.DISCONNECTING);
            }
        });
    }

    /** The worker says why it cannot boot; the exit that follows reports it. */
    void bootFailed(WorkerHandle w, Message.BootFailed b) {
        BootFailure.Cause cause;
        try {
            cause = BootFailure.Cause.valueOf(b.cause());
        } catch (IllegalArgumentException e) {
            w.dropForBadInput("unknown boot failure cause " + b.cause());
            return;
        }
        supervisor.execute(() -> {
            w.bootCause = cause;
            w.bootDetail = b.detail();
        });
    }

    void linkDown(WorkerHandle w) {
        supervisor.execute(() -> fireDisconnect(w));
    }

    /** Supervisor thread: the disconnect event, once per worker (the link closed, or the process exited first). */
    void fireDisconnect(WorkerHandle w) {
        if (w.fireDisconnectOnce()) {
            w.failRequests("disconnected");
            w.disconnectListeners.fire(Runnable::run);
            events.disconnect.fire(l -> l.accept(w));
        }
    }

    /**
     * Runs {@code then} once the worker's control link has ended (at most {@value #LINK_END_WAIT_MS} ms after its
     * process did): what it wrote before it died (its Listening, a BootFailed) is read first, and its disconnect
     * comes before its exit, as in Node, whichever the reaper saw first.
     */
    static void afterControlLinkEnds(WorkerHandle w, io.netty.util.concurrent.EventExecutorGroup io, Runnable then) {
        Channel c = w.control();
        if (c == null || !c.isOpen()) {
            then.run();
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable go = () -> {
            if (once.compareAndSet(false, true)) {
                then.run();
            }
        };
        c.closeFuture().addListener(f -> go.run());
        io.schedule(go, LINK_END_WAIT_MS, TimeUnit.MILLISECONDS);
    }

    /** How long a dead worker's control link may take to end (the kernel ends it at the death; this is a bound). */
    private static final long LINK_END_WAIT_MS = 1000;
}
