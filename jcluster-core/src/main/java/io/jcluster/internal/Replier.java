package io.jcluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Reply;
import io.jcluster.ipc.Message.ReplyStatus;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: answers one {@link Message.Request} with the handler's value, on the thread that calls it (the
 * supervisor in the primary, the events thread in a worker). The handler replies by returning a value, or a
 * {@link CompletionStage} of one; null replies JSON null. No handler, a handler that throws, or a value that cannot
 * be sent (not JSON, too large) is a {@link Reply} that says so: the requester's future fails with the reason.
 */
public final class Replier {
    private static final Logger log = LoggerFactory.getLogger(Replier.class);

    private Replier() {
    }

    /** Answers request {@code id} through {@code write} (which puts the reply on the link). */
    public static void answer(long id, JsonNode body, Function<JsonNode, Object> handler, Consumer<Message> write) {
        if (handler == null) {
            write.accept(new Reply(id, ReplyStatus.NO_HANDLER, Json.write("no request handler")));
            return;
        }
        Object value;
        try {
            value = handler.apply(body);
        } catch (RuntimeException | Error e) {
            log.warn("a request handler threw", e);
            write.accept(failed(id, e));
            return;
        }
        if (value instanceof CompletionStage<?> stage) {
            stage.whenComplete((v, e) -> write.accept(e != null ? failed(id, unwrap(e)) : ok(id, v)));
        } else {
            write.accept(ok(id, value));
        }
    }

    private static Reply ok(long id, Object value) {
        try {
            return new Reply(id, ReplyStatus.OK, Json.write(value));
        } catch (RuntimeException e) {
            log.warn("a request handler's reply cannot be sent: {}", e.getMessage());
            return new Reply(id, ReplyStatus.FAILED, Json.write("its reply cannot be sent: " + e.getMessage()));
        }
    }

    private static Reply failed(long id, Throwable e) {
        String why = e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.toString();
        if (why.length() > 4000) {
            why = why.substring(0, 4000) + "…";
        }
        return new Reply(id, ReplyStatus.FAILED, Json.write(why));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
