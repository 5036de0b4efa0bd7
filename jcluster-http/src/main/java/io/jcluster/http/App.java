package io.jcluster.http;

import io.jcluster.cluster.NetServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 application in the style of Express: routes, middleware, an error handler, and a
 * {@link #listen} that shares the port through the cluster when called in a worker.
 *
 * <pre>{@code
 * App app = App.create();
 * app.get("/", (req, res) -> res.json(Map.of("message", "Hello from Express server")));
 * app.listen(8000, () -> System.out.println("Server started on port 8000"));
 * }</pre>
 *
 * <h2>Routing</h2>
 * A path is a sequence of segments: literal ({@code /users}), parameter ({@code /users/:id}, read with
 * {@link Request#param}), or a trailing {@code *} that matches the rest of the path, empty included. Matching
 * is case-sensitive, against percent-decoded segments, ignoring one trailing slash. A literal segment beats a
 * parameter, which beats {@code *}, whatever the order of registration. For a method, a route of that method
 * beats an {@link #all} route; GET routes also answer HEAD (without the body) unless a HEAD route matches.
 * When no route matches the path the answer is 404; when routes match the path but not the method it is 405
 * with an {@code Allow} header (both go through the {@link ErrorHandler} as {@link HttpException}, after the
 * middleware ran), and OPTIONS is answered 204 with {@code Allow}. Registering the same method with the same
 * pattern (parameter names aside) twice throws {@link IllegalArgumentException}.
 *
 * <h2>Connections</h2>
 * HTTP/1.1 keep-alive (and HTTP/1.0 with {@code Connection: keep-alive}) with the limits and timeouts of
 * {@link HttpOptions}: 414, 431, 413, 400 and 408 answers close the connection. {@link #close()} closes idle
 * connections at once and lets a request in flight finish with {@code Connection: close}.
 *
 * <h2>Threads</h2>
 * Handlers and middleware run on the connection's event loop and must send their response before they
 * return; they must not block. Pipelined requests are answered in order. Routes and middleware may be added
 * at any time from any thread (a new immutable routing table is built on the next request after a change),
 * but are normally all registered before {@code listen}.
 */
public final class App {
    private static final Logger log = LoggerFactory.getLogger(App.class);

    private final Config config;
    private final Router.Builder routes = new Router.Builder();
    private final List<Dispatcher.Use> middleware = new ArrayList<>();
    private final ChannelInitializer<Channel> initializer;
    private ErrorHandler errorHandler = Dispatcher.DEFAULT_ERROR_HANDLER;
    private volatile Dispatcher dispatcher;
    private volatile java.util.Map<String, WebSocketUpgrade.Route> webSockets = java.util.Map.of();
    private NetServer server;
    private final HttpOptions options;
    /** False for {@link Warmup}'s app: its requests are not the worker's (no counters, no durations). */
    final boolean counted;

    private App(HttpOptions options, boolean counted) {
        this.options = options;
        this.config = Config.of(options);
        this.counted = counted;
        this.initializer = new Initializer();
    }

    private App(HttpOptions options) {
        this(options, true);
    }

    /** An app whose requests count nowhere ({@link Warmup}): same options, so the same mapper and limits. */
    static App uncounted(HttpOptions options) {
        return new App(new HttpOptions(options).warmUp(false), false);
    }

    /** An app with the default {@link HttpOptions}. */
    public static App create() {
        return new App(new HttpOptions());
    }

    /** An app with {@code options} (copied: later changes to it have no effect). */
    public static App create(HttpOptions options) {
        return new App(new HttpOptions(Objects.requireNonNull(options, "options")));
    }

    /** Routes GET (and HEAD, see the class doc) requests for {@code path} to {@code handler}. */
    public App get(String path, Handler handler) {
        return route(Router.GET, path, handler);
    }

    public App post(String path, Handler handler) {
        return route(Router.POST, path, handler);
    }

    public App put(String path, Handler handler) {
        return route(Router.PUT, path, handler);
    }

    public App delete(String path, Handler handler) {
        return route(Router.DELETE, path, handler);
    }

    public App patch(String path, Handler handler) {
        return route(Router.PATCH, path, handler);
    }

    public App head(String path, Handler handler) {
        return route(Router.HEAD, path, handler);
    }

    public App options(String path, Handler handler) {
        return route(Router.OPTIONS, path, handler);
    }

    /** Routes requests of every method for {@code path}, after routes of the request's own method. */
    public App all(String path, Handler handler) {
        return route(Router.ALL, path, handler);
    }

    private synchronized App route(int method, String path, Handler handler) {
        routes.add(method, path, handler);
        dispatcher = null;
        return this;
    }

    /** Serves WebSockets on {@code path} with the default {@link WebSocketOptions}; see {@link #ws(String, WebSocketOptions, WebSocketHandler)}. */
    public App ws(String path, WebSocketHandler handler) {
        return ws(path, new WebSocketOptions(), handler);
    }

    /**
     * Serves WebSockets on {@code path} (literal segments; a query is allowed in the request): a GET with
     * {@code Upgrade: websocket} to it is upgraded (RFC 6455, through Netty's WebSocket codec) and the connection
     * handed to {@code handler}. Other requests to the path are ordinary requests (404 unless a route takes them).
     * Registering a path twice throws {@link IllegalArgumentException}.
     */
    public synchronized App ws(String path, WebSocketOptions options, WebSocketHandler handler) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        if (path == null || !path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("a WebSocket path must start with '/' and hold no query: " + path);
        }
        for (String s : Router.segments(path)) {
            if (s.startsWith(":") || s.contains("*")) {
                throw new IllegalArgumentException("a WebSocket path takes literal segments only: " + path);
            }
        }
        if (webSockets.containsKey(path)) {
            throw new IllegalArgumentException("WebSockets on " + path + " are served already");
        }
        java.util.Map<String, WebSocketUpgrade.Route> next = new java.util.HashMap<>(webSockets);
        next.put(path, new WebSocketUpgrade.Route(path, handler, new WebSocketOptions(options)));
        webSockets = java.util.Map.copyOf(next);
        return this;
    }

    /** The WebSocket paths, read by each upgrade request's head. */
    java.util.Map<String, WebSocketUpgrade.Route> webSockets() {
        return webSockets;
    }

    /** Runs {@code middleware} for every request, in registration order, before its route. */
    public App use(Middleware middleware) {
        return use("/", middleware);
    }

    /**
     * Runs {@code middleware} for requests whose path is {@code pathPrefix} or lies below it, segment-wise
     * ({@code "/api"} covers {@code /api} and {@code /api/users}, not {@code /apix}).
     */
    public synchronized App use(String pathPrefix, Middleware middleware) {
        Objects.requireNonNull(middleware, "middleware");
        if (pathPrefix == null || !pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("a middleware path must start with '/': " + pathPrefix);
        }
        String[] prefix = Router.segments(pathPrefix);
        for (String s : prefix) {
            if (s.isEmpty() || s.startsWith(":") || s.contains("*")) {
                throw new IllegalArgumentException("a middleware path takes literal segments only: " + pathPrefix);
            }
        }
        this.middleware.add(new Dispatcher.Use(prefix, middleware));
        dispatcher = null;
        return this;
    }

    /** Replaces the default error handler (see {@link ErrorHandler}). */
    public synchronized App error(ErrorHandler handler) {
        errorHandler = Objects.requireNonNull(handler, "handler");
        dispatcher = null;
        return this;
    }

    /** The routing snapshot, compiled after the last change. */
    Dispatcher dispatcher() {
        Dispatcher d = dispatcher;
        return d != null ? d : compile();
    }

    private synchronized Dispatcher compile() {
        Dispatcher d = dispatcher;
        if (d == null) {
            d = new Dispatcher(routes.build(), middleware.toArray(new Dispatcher.Use[0]), errorHandler);
            dispatcher = d;
        }
        return d;
    }

    /**
     * The pipeline of this app for a connection of any Netty server, to embed the app in a server of your
     * own (e.g. {@code ServerBootstrap.childHandler(app.initializer())}). Shareable.
     */
    public ChannelInitializer<Channel> initializer() {
        return initializer;
    }

    /** Listens on all interfaces; see {@link #listen(String, int)}. */
    public CompletableFuture<InetSocketAddress> listen(int port) {
        return listen(null, port);
    }

    /**
     * Starts serving on {@code host:port} ({@code null} or {@code ""} for all interfaces, port 0 for any free
     * port). Inside a cluster worker the port is shared with the other workers through the primary; elsewhere
     * it is bound directly. The future gives the bound address, or fails with the cause (for a port in use,
     * an {@code io.jcluster.cluster.ListenException} with code {@code EADDRINUSE}). An app listens once.
     */
    public CompletableFuture<InetSocketAddress> listen(String host, int port) {
        NetServer s;
        synchronized (this) {
            if (server != null) {
                return CompletableFuture.failedFuture(new IllegalStateException("this app is already listening"));
            }
            compile();
            s = NetServer.create(initializer); // Netty's channels set TCP_NODELAY themselves
            server = s;
        }
        if (options.warmUp()) {
            Warmup.once(options); // before the listen: a worker is ready once its first client is served at speed
        }
        CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        CompletableFuture<InetSocketAddress> listening;
        try {
            listening = s.listen(host == null ? "" : host, port);
        } catch (RuntimeException e) {
            listening = CompletableFuture.failedFuture(e);
        }
        listening.whenComplete((address, err) -> {
            if (err != null) {
                synchronized (this) {
                    if (server == s) {
                        server = null;
                    }
                }
                result.completeExceptionally(unwrap(err));
            } else {
                result.complete(address);
            }
        });
        return result;
    }

    /**
     * Like {@link #listen(int)}, running {@code onListening} once listening. A failure is logged at ERROR
     * and fails the future; nothing is thrown on the calling thread.
     */
    public CompletableFuture<InetSocketAddress> listen(int port, Runnable onListening) {
        return listen(null, port, onListening);
    }

    /**
     * Like {@link #listen(String, int)}, running {@code onListening} (on a server thread) once listening. A
     * failure to listen, or of {@code onListening}, is logged at ERROR and fails the future; nothing is
     * thrown on the calling thread.
     */
    public CompletableFuture<InetSocketAddress> listen(String host, int port, Runnable onListening) {
        Objects.requireNonNull(onListening, "onListening");
        CompletableFuture<InetSocketAddress> result = new CompletableFuture<>();
        listen(host, port).whenComplete((address, err) -> {
            if (err != null) {
                Throwable cause = unwrap(err);
                log.error("could not listen on {}:{}: {}", host == null || host.isEmpty() ? "*" : host, port,
                        cause.getMessage() != null ? cause.getMessage() : cause.toString());
                log.debug("listen failure", cause);
                result.completeExceptionally(cause);
                return;
            }
            try {
                onListening.run();
                result.complete(address);
            } catch (Throwable t) {
                log.error("the listening callback failed", t);
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** What this app's connections did to protect the server (slow readers closed, refusals). */
    public HttpStats stats() {
        return config.stats();
    }

    /** The address this app listens on, or null before {@link #listen} succeeded. */
    public synchronized InetSocketAddress address() {
        return server == null ? null : server.address();
    }

    /**
     * Closes gracefully: stops accepting connections, closes idle ones at once, lets each request in flight
     * be answered (with {@code Connection: close}) and then closes its connection. The future completes when
     * every connection is closed. Does nothing for an app that does not listen.
     */
    public CompletableFuture<Void> close() {
        NetServer s;
        synchronized (this) {
            s = server;
        }
        return s == null ? CompletableFuture.completedFuture(null) : s.close().copy();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Installs the decoder, the encoder and a connection handler. */
    @ChannelHandler.Sharable
    private final class Initializer extends ChannelInitializer<Channel> {
        /** Read by each decoder when it is made, never changed. */
        private final HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxRequestLine())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK)
                // Names and values validated as they are decoded: a bare CR or a control character in a value is
                // a 400 (RFC 9112 §2.2, RFC 9110 §5.5), not a value handed to the application.
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(true)
                        .withValueValidation(true));

        @Override
        protected void initChannel(Channel ch) {
            HttpServerHandler handler = new HttpServerHandler(App.this, config);
            // Above 64 KiB of responses waiting the channel turns unwritable: the handler stops reading and the
            // slow-reader guard starts watching (SlowReaderGuard).
            ch.config().setWriteBufferWaterMark(WATER_MARK);
            ChannelPipeline p = ch.pipeline();
            p.addLast("http-decoder", handler.decoder(decoderConfig));
            p.addLast("http-encoder", new Codec.Encoder());
            p.addLast("http-handler", handler);
        }
    }

    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /** Largest body piece the decoder hands over at once; bodies of one piece are not copied. */
    private static final int MAX_CHUNK = 64 * 1024;
}
