package io.jcluster.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.registry.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The primary's control socket: a Unix domain socket (0600) in the registry, served by its own threads (never
 * the data plane's): one accepting, two per connection (one reads requests, so that a client closing its end is
 * seen while its request is being answered; one answers them in order), at most {@value #MAX_CONNECTIONS}
 * connections at once. Each request is handled by the {@link Handler}; its reply (or error) is written back with
 * the same id.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 16;

    /**
     * Answers one request; throws {@link ControlException} (or anything) for an error reply. {@code hangup}
     * completes when the client closes its connection (it gave up: Ctrl-C), so a long operation can stop.
     */
    @FunctionalInterface
    public interface Handler {
        JsonNode handle(String command, JsonNode args, Consumer<JsonNode> progress, CompletableFuture<Void> hangup)
                throws Exception;
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;

    /** The socket file this server bound (its file key): a file another primary bound since is never deleted. */
    private final Object fileKey;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.fileKey = fileKey(path);
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Binds {@code path} (replacing a stale socket file) and starts accepting. */
    public static ControlServer start(Path path, Handler handler) {
        try {
            Files.deleteIfExists(path);
            ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            ControlServer s = new ControlServer(path, ch, handler);
            Thread t = new Thread(s::acceptLoop, "jcluster-control");
            t.setDaemon(true);
            t.start();
            return s;
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException("cannot serve the control socket " + path + ": " + e.getMessage()
                    + (path.toString().length() > 100 ? " (the path is too long for a Unix socket; set "
                    + Registry.ENV_HOME + " to a shorter directory)" : ""),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("jcluster: the control socket failed: " + e.getMessage());
                }
                return;
            }
            if (!slots.tryAcquire()) {
                reply(c, error(null, "too many control connections (" + MAX_CONNECTIONS + "); try again", null));
                closeQuietly(c);
                continue;
            }
            open.add(c);
            Thread t = new Thread(() -> serve(c), "jcluster-control-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    /** What the reading thread hands the answering one: a request, or the end (then {@code failure} or none). */
    private record Read(JsonNode request, String failure) { }

    private void serve(SocketChannel c) {
        BlockingQueue<Read> requests = new LinkedBlockingQueue<>();
        CompletableFuture<Void> hangup = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                for (JsonNode req; (req = Frames.read(c)) != null; ) {
                    requests.add(new Read(req, null));
                }
                requests.add(new Read(null, null));
            } catch (IOException e) {
                requests.add(new Read(null, closed || !c.isOpen() ? null : "bad request: " + e.getMessage()));
            } finally {
                hangup.complete(null);
            }
        }, "jcluster-control-read");
        reader.setDaemon(true);
        reader.start();
        try {
            for (;;) {
                Read next;
                try {
                    next = requests.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (next.request() == null) {
                    if (next.failure() != null) {
                        reply(c, error(null, next.failure(), null));
                    }
                    return;
                }
                JsonNode req = next.request();
                JsonNode id = req.get("id");
                String command = req.path("command").asText("");
                JsonNode args = req.path("args");
                Consumer<JsonNode> progress = data -> {
                    ObjectNode p = JsonNodeFactory.instance.objectNode();
                    p.set("id", id);
                    p.put("status", "progress");
                    p.set("data", data);
                    reply(c, p);
                };
                ObjectNode rep;
                inFlight.incrementAndGet();
                try {
                    JsonNode data = handler.handle(command, args.isObject() ? args : JsonNodeFactory.instance.objectNode(),
                            progress, hangup);
                    rep = JsonNodeFactory.instance.objectNode();
                    rep.set("id", id);
                    rep.put("status", "ok");
                    rep.set("data", data == null ? JsonNodeFactory.instance.objectNode() : data);
                } catch (Exception e) {
                    rep = error(id, e instanceof ControlException || e.getMessage() != null ? e.getMessage() : e.toString(),
                            e instanceof ControlException ce && ce.exit() != null ? ce.exit().code() : null);
                }
                boolean sent = reply(c, rep);
                inFlight.decrementAndGet();
                if (!sent) {
                    return;
                }
            }
        } finally {
            open.remove(c);
            closeQuietly(c);
            slots.release();
        }
    }

    private static ObjectNode error(JsonNode id, String message, Integer exit) {
        ObjectNode rep = JsonNodeFactory.instance.objectNode();
        rep.set("id", id);
        rep.put("status", "error");
        rep.put("error", message);
        if (exit != null) {
            rep.put("exit", exit);
        }
        return rep;
    }

    private static boolean reply(SocketChannel c, JsonNode node) {
        synchronized (c) {
            try {
                Frames.write(c, node);
                return true;
            } catch (IOException e) {
                return false; // the client went away
            }
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Waits (at most {@code max}) until no request is being answered. */
    public void awaitIdle(java.time.Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        open.forEach(ControlServer::closeQuietly);
        try {
            // After an upgrade the path is the new primary's socket: only our own file goes.
            if (fileKey == null || fileKey.equals(fileKey(path))) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // best effort
        }
    }
}
