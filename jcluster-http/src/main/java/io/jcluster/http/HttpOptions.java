package io.jcluster.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timeouts of an {@link App}, read once by {@link App#create(HttpOptions)}; later changes to this
 * object do not affect an app already created. Setters return {@code this}. A timeout of
 * {@link Duration#ZERO} disables it.
 *
 * <pre>{@code
 * App app = App.create(new HttpOptions().maxBodySize(10 << 20).keepAliveTimeout(Duration.ofSeconds(30)));
 * }</pre>
 */
public final class HttpOptions {
    /** Longest request line (method, target, version): 8 KiB. Longer gets 414 and the connection is closed. */
    public static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;
    /** Most bytes of header lines: 16 KiB. More gets 431 and the connection is closed. */
    public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
    /** Largest request body: 1 MiB. Larger gets 413 and the connection is closed. */
    public static final int DEFAULT_MAX_BODY_SIZE = 1024 * 1024;
    /** How long an idle keep-alive connection is kept open between requests: 5 s, like Node. */
    public static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a client has from its first byte (or from connecting) to the end of the request headers: 10 s.
     * Exceeding it gets 408 and the connection is closed.
     */
    public static final Duration DEFAULT_HEADERS_TIMEOUT = Duration.ofSeconds(10);
    /** How long a client has from its first byte (or from connecting) to the end of the whole request: 30 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How long a client that does not read its responses may make no progress: 30 s. While responses wait in
     * the connection's outbound buffer (above the write buffer's high-water mark, or before a close), a
     * connection whose buffer did not shrink within this time is closed as a slow reader.
     */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Most response bytes buffered for one connection before another response is refused: 4 MiB. A client
     * that pipelines requests but does not read is closed as a slow reader rather than buffered for.
     * One response larger than this is still sent (the cap applies to what is already waiting).
     */
    public static final int DEFAULT_MAX_BUFFERED_RESPONSE_BYTES = 4 * 1024 * 1024;
    /**
     * Most pipelined responses queued while the client does not read (its connection above the write
     * buffer's high-water mark): 128. One more closes the connection as a slow reader.
     */
    public static final int DEFAULT_MAX_PIPELINED = 128;
    /**
     * After a refusal that closes the connection (400, 408, 413, 414, 431…), how long the server keeps reading
     * (and discarding) what the client still sends, its own side half-closed, so that a client still
     * uploading reads the refusal instead of a reset (RFC 9112 §9.6): 2 s. Zero closes at once.
     */
    public static final Duration DEFAULT_LINGER_TIMEOUT = Duration.ofSeconds(2);
    /** Most bytes discarded while lingering after a refusal: 256 KiB; then the connection closes. */
    public static final int DEFAULT_MAX_LINGER_BYTES = 256 * 1024;

    private int maxRequestLine = DEFAULT_MAX_REQUEST_LINE;
    private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
    private int maxBodySize = DEFAULT_MAX_BODY_SIZE;
    private Duration keepAliveTimeout = DEFAULT_KEEP_ALIVE_TIMEOUT;
    private Duration headersTimeout = DEFAULT_HEADERS_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private int maxBufferedResponseBytes = DEFAULT_MAX_BUFFERED_RESPONSE_BYTES;
    private int maxPipelined = DEFAULT_MAX_PIPELINED;
    private Duration lingerTimeout = DEFAULT_LINGER_TIMEOUT;
    private int maxLingerBytes = DEFAULT_MAX_LINGER_BYTES;
    private ObjectMapper objectMapper;
    private boolean warmUp = !"false".equals(System.getProperty("jcluster.http.warmup"));

    /** Options with every default. */
    public HttpOptions() {
    }

    HttpOptions(HttpOptions o) {
        maxRequestLine = o.maxRequestLine;
        maxHeaderSize = o.maxHeaderSize;
        maxBodySize = o.maxBodySize;
        keepAliveTimeout = o.keepAliveTimeout;
        headersTimeout = o.headersTimeout;
        requestTimeout = o.requestTimeout;
        writeTimeout = o.writeTimeout;
        maxBufferedResponseBytes = o.maxBufferedResponseBytes;
        maxPipelined = o.maxPipelined;
        lingerTimeout = o.lingerTimeout;
        maxLingerBytes = o.maxLingerBytes;
        objectMapper = o.objectMapper;
        warmUp = o.warmUp;
    }

    /** Longest request line in bytes; see {@link #DEFAULT_MAX_REQUEST_LINE}. */
    public HttpOptions maxRequestLine(int bytes) {
        maxRequestLine = positive(bytes, "maxRequestLine");
        return this;
    }

    /** Most bytes of all header lines together; see {@link #DEFAULT_MAX_HEADER_SIZE}. */
    public HttpOptions maxHeaderSize(int bytes) {
        maxHeaderSize = positive(bytes, "maxHeaderSize");
        return this;
    }

    /** Largest request body in bytes; see {@link #DEFAULT_MAX_BODY_SIZE}. */
    public HttpOptions maxBodySize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxBodySize must be >= 0: " + bytes);
        }
        maxBodySize = bytes;
        return this;
    }

    /** Idle time after which a keep-alive connection is closed; see {@link #DEFAULT_KEEP_ALIVE_TIMEOUT}. */
    public HttpOptions keepAliveTimeout(Duration timeout) {
        keepAliveTimeout = duration(timeout, "keepAliveTimeout");
        return this;
    }

    /** Time allowed to receive the request headers; see {@link #DEFAULT_HEADERS_TIMEOUT}. */
    public HttpOptions headersTimeout(Duration timeout) {
        headersTimeout = duration(timeout, "headersTimeout");
        return this;
    }

    /** Time allowed to receive the whole request, body included; see {@link #DEFAULT_REQUEST_TIMEOUT}. */
    public HttpOptions requestTimeout(Duration timeout) {
        requestTimeout = duration(timeout, "requestTimeout");
        return this;
    }

    /** Time a slow reader may make no progress; see {@link #DEFAULT_WRITE_TIMEOUT}. */
    public HttpOptions writeTimeout(Duration timeout) {
        writeTimeout = duration(timeout, "writeTimeout");
        return this;
    }

    /** Most response bytes buffered per connection; see {@link #DEFAULT_MAX_BUFFERED_RESPONSE_BYTES}. */
    public HttpOptions maxBufferedResponseBytes(int bytes) {
        maxBufferedResponseBytes = positive(bytes, "maxBufferedResponseBytes");
        return this;
    }

    /** Most pipelined responses queued for a client that does not read; see {@link #DEFAULT_MAX_PIPELINED}. */
    public HttpOptions maxPipelined(int responses) {
        maxPipelined = positive(responses, "maxPipelined");
        return this;
    }

    /** How long to drain a refused client's input; see {@link #DEFAULT_LINGER_TIMEOUT}. */
    public HttpOptions lingerTimeout(Duration timeout) {
        lingerTimeout = duration(timeout, "lingerTimeout");
        return this;
    }

    /** Most bytes drained from a refused client; see {@link #DEFAULT_MAX_LINGER_BYTES}. */
    public HttpOptions maxLingerBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxLingerBytes must be >= 0: " + bytes);
        }
        maxLingerBytes = bytes;
        return this;
    }

    /**
     * The Jackson mapper used by {@link Request#json()} and {@link Response#json(Object)}; by default one
     * shared {@code new ObjectMapper()}. It must not be reconfigured once the app serves requests.
     */
    public HttpOptions objectMapper(ObjectMapper mapper) {
        objectMapper = Objects.requireNonNull(mapper, "mapper");
        return this;
    }

    /**
     * Whether {@link App#listen} first runs a few hundred requests through this JVM's HTTP pipeline in memory
     * (decoder, router, a JSON response, a 404, the encoder) before it listens: the classes load and the hot
     * code compiles before the first client, not on its request. The application's own routes and middleware
     * never run and nothing is counted or logged; it happens once per JVM and takes ~0.1-0.3 s of CPU on a
     * fresh one. A worker that listens later (a hot spare, a replacement) then serves its first connection at
     * speed. Default: on, unless the JVM runs with {@code -Djcluster.http.warmup=false} (for
     * a worker: {@code --jvm-args -Djcluster.http.warmup=false}).
     */
    public HttpOptions warmUp(boolean on) {
        warmUp = on;
        return this;
    }

    public boolean warmUp() {
        return warmUp;
    }

    public int maxRequestLine() {
        return maxRequestLine;
    }

    public int maxHeaderSize() {
        return maxHeaderSize;
    }

    public int maxBodySize() {
        return maxBodySize;
    }

    public Duration keepAliveTimeout() {
        return keepAliveTimeout;
    }

    public Duration headersTimeout() {
        return headersTimeout;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration writeTimeout() {
        return writeTimeout;
    }

    public int maxBufferedResponseBytes() {
        return maxBufferedResponseBytes;
    }

    public int maxPipelined() {
        return maxPipelined;
    }

    public Duration lingerTimeout() {
        return lingerTimeout;
    }

    public int maxLingerBytes() {
        return maxLingerBytes;
    }

    /** The mapper set with {@link #objectMapper(ObjectMapper)}, or null for the shared default. */
    public ObjectMapper objectMapper() {
        return objectMapper;
    }

    private static int positive(int v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0: " + v);
        }
        return v;
    }

    private static Duration duration(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "HttpOptions{maxRequestLine=" + maxRequestLine + ", maxHeaderSize=" + maxHeaderSize
                + ", maxBodySize=" + maxBodySize + ", keepAliveTimeout=" + keepAliveTimeout
                + ", headersTimeout=" + headersTimeout + ", requestTimeout=" + requestTimeout
                + ", writeTimeout=" + writeTimeout + ", maxBufferedResponseBytes=" + maxBufferedResponseBytes
                + ", maxPipelined=" + maxPipelined + ", lingerTimeout=" + lingerTimeout
                + ", maxLingerBytes=" + maxLingerBytes + '}';
    }
}
