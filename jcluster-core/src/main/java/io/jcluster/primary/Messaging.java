package io.jcluster.primary;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.Worker;
import io.jcluster.internal.Replier;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.UserMessage;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of request/reply and broadcast: workers' requests answered on the supervisor thread (the
 * worker's own handler, else the cluster's), replies to the primary's requests matched to them, and broadcasts,
 * the primary's to every worker and a worker's to every other. Each copy goes through that worker's send budget:
 * a worker that does not read misses broadcasts (logged) rather than growing the primary's memory.
 */
public final class Messaging {
    private static final Logger log = LoggerFactory.getLogger(Messaging.class);

    private final Executor supervisor;
    private final Collection<WorkerHandle> workers;
    /** {@code Cluster.onRequest}: answers requests of workers that have no handler of their own. */
    private volatile BiFunction<Worker, JsonNode, Object> handler;

    Messaging(Executor supervisor, Collection<WorkerHandle> workers) {
        this.supervisor = supervisor;
        this.workers = workers;
    }

    /** {@code Cluster.onRequest} in the primary: one handler; a second throws. */
    public void handler(BiFunction<Worker, JsonNode, Object> h) {
        java.util.Objects.requireNonNull(h, "handler");
        synchronized (this) {
            if (handler != null) {
                throw new IllegalStateException("a request handler is set already: one answers each request");
            }
            handler = h;
        }
    }

    /** I/O loop: a worker's request; answered on the supervisor thread. */
    void request(WorkerHandle w, Message.Request r) {
        supervisor.execute(() -> {
            JsonNode body;
            try {
                body = Json.read(r.json());
            } catch (IOException e) {
                w.dropForBadInput("malformed JSON request: " + e.getMessage());
                return;
            }
            Function<JsonNode, Object> own = w.requestHandler();
            BiFunction<Worker, JsonNode, Object> all = handler;
            Function<JsonNode, Object> h = own != null ? own : all == null ? null : m -> all.apply(w, m);
            Replier.answer(r.id(), body, h, reply -> w.sendMessage(reply, ((Message.Reply) reply).json().length,
                    err -> {
                        if (err != null) {
                            log.warn("could not reply to worker {}'s request: {}", w.id(), err.getMessage());
                        }
                    }));
        });
    }

    /** I/O loop: a worker answered one of the primary's requests. */
    void reply(WorkerHandle w, Message.Reply r) {
        w.reply(r);
    }

    /** I/O loop: a worker broadcasts to every other worker. */
    void broadcastFrom(WorkerHandle from, Message.Broadcast b) {
        toAll(b.json(), from);
    }

    /** Any thread: the primary's broadcast; the number of workers it was sent to. */
    public int broadcast(Object message) {
        return toAll(Json.write(message), null);
    }

    private int toAll(byte[] json, WorkerHandle except) {
        UserMessage m = new UserMessage(json); // one copy of the bytes for every worker
        int n = 0;
        for (WorkerHandle w : workers) {
            if (w == except || !w.isConnected()) {
                continue;
            }
            if (w.sendMessage(m, json.length, err -> {
                if (err != null) {
                    log.warn("a broadcast did not reach worker {}: {}", w.id(), err.getMessage());
                }
            })) {
                n++;
            }
        }
        return n;
    }
}
