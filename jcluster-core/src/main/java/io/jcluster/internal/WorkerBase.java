package io.jcluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.UserMessage;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Internal: what both sides' {@link Worker} share: its listeners, sending a message over a control link, and
 * signals. The primary's handle fires every event; inside a worker only message and disconnect fire.
 */
public abstract class WorkerBase implements Worker {
    public final Listeners<Runnable> onlineListeners = new Listeners<>("online");
    public final Listeners<Consumer<InetSocketAddress>> listeningListeners = new Listeners<>("listening");
    public final Listeners<Runnable> disconnectListeners = new Listeners<>("disconnect");
    public final Listeners<Consumer<ExitStatus>> exitListeners = new Listeners<>("exit");
    public final Listeners<Consumer<JsonNode>> messageListeners = new Listeners<>("message");

    /** User messages written to this peer and not yet in its socket: bounded. */
    protected final SendBudget budget = new SendBudget();
    /** Answers the other side's requests ({@link #onRequest}); null: none, the requester hears so. */
    private volatile Function<JsonNode, Object> requestHandler;

    /** The requests this side sent on the link and waits to hear about. */
    protected abstract PendingReplies replies();

    /**
     * Puts a user message (a {@link UserMessage}, {@link Message.Request}, {@link Message.Broadcast}) of
     * {@code bytes} bytes of JSON on the link to the other side; false, and {@code done} with the error, when it
     * cannot (the link is down, or the send budget is spent).
     */
    protected abstract boolean sendMessage(Message m, int bytes, Consumer<Throwable> done);

    @Override
    public boolean send(Object message, Consumer<Throwable> done) {
        byte[] json = Json.write(message); // a message that cannot be written fails here, for the caller
        return sendMessage(new UserMessage(json), json.length, done);
    }

    @Override
    public CompletableFuture<JsonNode> request(Object message, Duration timeout) {
        byte[] json = Json.write(message); // as send: not JSON or too large throws here
        PendingReplies.Open o = replies().open(timeout);
        if (o == null) {
            return CompletableFuture.failedFuture(replies().tooMany());
        }
        sendMessage(new Message.Request(o.id(), json), json.length, err -> {
            if (err != null) {
                replies().fail(o.id(), err);
            }
        });
        return o.future();
    }

    @Override
    public Worker onRequest(Function<JsonNode, Object> handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        synchronized (this) {
            if (requestHandler != null) {
                throw new IllegalStateException("a request handler is set already: one answers each request");
            }
            requestHandler = handler;
        }
        return this;
    }

    /** The handler of the other side's requests, or null. */
    public Function<JsonNode, Object> requestHandler() {
        return requestHandler;
    }

    /**
     * Writes a user message on a control link, within {@code budget}; false when the link is down or the budget is
     * spent. {@code done} runs on {@code events} with the outcome.
     */
    protected static boolean write(Channel control, Message m, int bytes, SendBudget budget, String peer,
                                   Consumer<Throwable> done, java.util.concurrent.Executor events) {
        if (control == null || !control.isActive()) {
            callback(events, done, new IllegalStateException("the IPC link to " + peer + " is closed"));
            return false;
        }
        io.jcluster.cluster.RequestException full = budget.reserve(bytes, peer);
        if (full != null) {
            callback(events, done, full);
            return false;
        }
        control.writeAndFlush(m).addListener(f -> {
            budget.release(bytes);
            callback(events, done, f.cause());
        });
        return true;
    }

    /** Runs Node's send callback, if any, on {@code events}; a callback that throws is logged. */
    public static void callback(java.util.concurrent.Executor events, Consumer<Throwable> done, Throwable error) {
        if (done == null) {
            return;
        }
        events.execute(() -> {
            try {
                done.accept(error);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(WorkerBase.class).error("a send callback threw", e);
            }
        });
    }

    /** Sends any signal through kill(1): Java's Process API itself can only send TERM and KILL. */
    public static void signal(long pid, String signal) {
        int n = ExitStatus.signalNumber(signal);
        try {
            new ProcessBuilder("kill", "-" + n, Long.toString(pid)).inheritIO().start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not send " + signal + " to pid " + pid, e);
        }
    }

    /** Inside a worker: a value of its environment, or {@code otherwise}. */
    protected static int envInt(String name, int otherwise) {
        String v = System.getenv(name);
        try {
            return v == null ? otherwise : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    @Override
    public Worker onOnline(Runnable listener) {
        onlineListeners.add(listener);
        return this;
    }

    @Override
    public Worker onListening(Consumer<InetSocketAddress> listener) {
        listeningListeners.add(listener);
        return this;
    }

    @Override
    public Worker onDisconnect(Runnable listener) {
        disconnectListeners.add(listener);
        return this;
    }

    @Override
    public Worker onExit(Consumer<ExitStatus> listener) {
        exitListeners.add(listener);
        return this;
    }

    @Override
    public Worker onMessage(Consumer<JsonNode> listener) {
        messageListeners.add(listener);
        return this;
    }
}
