package io.jcluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.RequestException;
import io.jcluster.cluster.RequestException.Reason;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Internal: request/reply correlation for one side of one link. Each request gets an id and a future; its
 * {@link Reply}, its timeout or the peer's end completes it, once, on {@code completions} (the supervisor thread
 * in the primary, the events thread in a worker: where the other listeners run). At most {@code max} wait at once.
 * Thread-safe.
 */
public final class PendingReplies {
    private static final Logger log = LoggerFactory.getLogger(PendingReplies.class);
    /** One daemon thread for every request's timeout in this JVM: it only enqueues the failure. */
    private static final ScheduledExecutorService TIMER = timer();

    private final Map<Long, Open> open = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();
    private final Executor completions;
    private final String peer;
    private final int max;

    /** One open request: its id, and the future its sender holds. */
    public record Open(long id, CompletableFuture<JsonNode> future, ScheduledFuture<?>[] timeout) { }

    /** @param peer the other side in words ("worker 3", "the primary"), for the errors */
    public PendingReplies(Executor completions, String peer, int max) {
        this.completions = completions;
        this.peer = peer;
        this.max = max;
    }

    /**
     * A new request that fails with {@link Reason#TIMEOUT} unless answered within {@code timeout}; null when
     * {@code max} requests wait already (the caller fails with {@link #tooMany()}).
     */
    public Open open(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a request's timeout must be positive: " + timeout);
        }
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return null;
        }
        Open o = new Open(ids.incrementAndGet(), new CompletableFuture<>(), new ScheduledFuture<?>[1]);
        open.put(o.id(), o);
        long ms = timeout.toMillis();
        o.timeout()[0] = TIMER.schedule(() -> fail(o.id(), new RequestException(Reason.TIMEOUT,
                "no reply from " + peer + " within " + ms + " ms")), ms, TimeUnit.MILLISECONDS);
        return o;
    }

    /** The error of a request refused because {@code max} wait already. */
    public RequestException tooMany() {
        return new RequestException(Reason.TOO_MANY_PENDING, max + " requests to " + peer + " already wait for replies");
    }

    /** A reply arrived (any thread): its request completes; a reply to no open request (timed out) is dropped. */
    public void complete(Reply r) {
        Open o = take(r.id());
        if (o == null) {
            log.debug("a reply from {} to request {} that is no longer open (timed out?)", peer, r.id());
            return;
        }
        switch (r.status()) {
            case OK -> {
                JsonNode node;
                try {
                    node = Json.read(r.json());
                } catch (IOException e) {
                    finish(o, new RequestException(Reason.HANDLER_FAILED, "the reply of " + peer + " is not JSON: "
                            + e.getMessage()), null);
                    return;
                }
                finish(o, null, node);
            }
            case NO_HANDLER -> finish(o, new RequestException(Reason.NO_HANDLER, peer + " has no request handler"), null);
            case FAILED -> finish(o, new RequestException(Reason.HANDLER_FAILED, "the request handler of " + peer
                    + " failed: " + text(r.json())), null);
        }
    }

    /** Fails one request (its write failed, it timed out): a {@link RequestException} as is, else as the peer's end. */
    public void fail(long id, Throwable error) {
        Open o = take(id);
        if (o != null) {
            finish(o, error instanceof RequestException re ? re
                    : new RequestException(Reason.PEER_GONE, "could not send the request to " + peer + ": "
                    + error.getMessage()), null);
        }
    }

    /** The peer is gone: every open request fails with {@link Reason#PEER_GONE}; returns how many. */
    public int failAll(String why) {
        int n = 0;
        for (Long id : open.keySet()) {
            Open o = take(id);
            if (o != null) {
                n++;
                finish(o, new RequestException(Reason.PEER_GONE, peer + " " + why + " before it replied"), null);
            }
        }
        return n;
    }

    /** Requests waiting now. */
    public int size() {
        return count.get();
    }

    private Open take(long id) {
        Open o = open.remove(id);
        if (o != null) {
            count.decrementAndGet();
            ScheduledFuture<?> t = o.timeout()[0];
            if (t != null) {
                t.cancel(false);
            }
        }
        return o;
    }

    private void finish(Open o, RequestException error, JsonNode value) {
        Runnable r = () -> {
            if (error != null) {
                o.future().completeExceptionally(error);
            } else {
                o.future().complete(value);
            }
        };
        try {
            completions.execute(r);
        } catch (RejectedExecutionException e) {
            r.run(); // the events thread is gone (the JVM is stopping): complete here rather than never
        }
    }

    private static String text(byte[] json) {
        try {
            JsonNode n = Json.read(json);
            return n.isTextual() ? n.asText() : n.toString();
        } catch (IOException e) {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "jcluster-request-timeouts");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
