package io.jcluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.ExitStatus;
import io.jcluster.cluster.Worker;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message.UserMessage;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

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

    /**
     * Sends a user message as JSON on a control link; false when the link is down. {@code done} runs on
     * {@code events} with the outcome.
     */
    protected static boolean send(Channel control, Object message, Consumer<Throwable> done,
                                  java.util.concurrent.Executor events) {
        byte[] json = Json.write(message);
        if (control == null || !control.isActive()) {
            callback(events, done, new IllegalStateException("the IPC link is closed"));
            return false;
        }
        control.writeAndFlush(new UserMessage(json)).addListener(f -> callback(events, done, f.cause()));
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
