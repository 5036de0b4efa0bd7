package io.jcluster.ipc;

/**
 * Internal: every message between a primary and a worker, one record each. Each link carries them as
 * length-prefixed frames ({@link Codec}); user messages carry JSON bytes.
 *
 * <p>Worker to primary: {@link Hello}, {@link ListenRequest}, {@link Listening}, {@link ServerClosed},
 * {@link Ack}, {@link Refuse}, {@link UserMessage}, {@link Disconnecting}, {@link Stopping}, {@link Pong},
 * {@link BootFailed}, {@link Stats}, {@link Broadcast}.
 * Primary to worker: {@link Welcome}, {@link ListenReply}, {@link UserMessage}, {@link Disconnect}, {@link Ping}.
 * Both ways: {@link Request} and its {@link Reply}, matched by the sender's correlation id.
 */
public sealed interface Message {

    /** Which of a worker's two links a connection is: control frames, or fds one per message or (FDS_BATCHED,
     *  the worker reads with {@code FdBatch}) several per message. */
    enum Link { CONTROL, FDS, FDS_BATCHED }

    /** First frame on each link: the one-time token from the worker's environment and its pid. */
    record Hello(String token, long pid, Link link) implements Message {
        @Override
        public String toString() {
            return "Hello[pid=" + pid + ", link=" + link + "]"; // never log the token
        }
    }

    /** The primary accepted the control link. */
    record Welcome(int workerId) implements Message { }

    /**
     * How a worker wants an address served. {@code POLICY}: as the cluster's scheduling policy says (a jcluster
     * server: RR hands it connections, NONE the listening socket). {@code SOCKET}: the listening socket itself,
     * whatever the policy (an unmodified server in a worker run with jcluster's agent, which accepts on it).
     */
    enum ListenMode { POLICY, SOCKET }

    /** A server in the worker wants to listen on host:port (host "" = all interfaces), served as {@code mode} says. */
    record ListenRequest(int requestId, String host, int port, ListenMode mode) implements Message {
        public ListenRequest(int requestId, String host, int port) {
            this(requestId, host, port, ListenMode.POLICY);
        }
    }

    /**
     * The answer to a {@link ListenRequest}: the bound address, or an errno-like code and detail.
     * With {@code fdFollows} (policy NONE) the listening socket arrives on the fd link.
     */
    record ListenReply(int requestId, String host, int port, String errorCode, String errorDetail,
                       boolean fdFollows) implements Message {
        public static ListenReply ok(int requestId, String host, int port, boolean fdFollows) {
            return new ListenReply(requestId, host, port, "", "", fdFollows);
        }

        public static ListenReply error(int requestId, String host, int port, String code, String detail) {
            return new ListenReply(requestId, host, port, code, detail, false);
        }

        public boolean ok() {
            return errorCode.isEmpty();
        }
    }

    /** A worker's server is listening (Node's 'listening'): host and port as the worker asked for them. */
    record Listening(String host, int port) implements Message { }

    /** A worker's server on host:port (as asked for) closed: hand it no more connections for it. */
    record ServerClosed(String host, int port) implements Message { }

    /**
     * On the fd link: the worker took the next {@code count} connections handed to it, and {@code closed} of the
     * connections it took have ended since its last report (counted under least-connections only; an Ack of
     * count 0 carries closes alone). On the wire the closes follow the count only when there are some.
     */
    record Ack(int count, int closed) implements Message {
        public Ack(int count) {
            this(count, 0);
        }
    }

    /** On the fd link: the worker gave back the next {@code count} connections (it is closing). */
    record Refuse(int count) implements Message { }

    /** A user message, as JSON. */
    record UserMessage(byte[] json) implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof UserMessage u && java.util.Arrays.equals(json, u.json);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(json);
        }

        @Override
        public String toString() {
            return "UserMessage[" + json.length + " bytes]";
        }
    }

    /** A user message that asks for an answer: {@code id} is the sender's, unique among its open requests. */
    record Request(long id, byte[] json) implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof Request r && id == r.id && java.util.Arrays.equals(json, r.json);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id) * 31 + java.util.Arrays.hashCode(json);
        }

        @Override
        public String toString() {
            return "Request[id=" + id + ", " + json.length + " bytes]";
        }
    }

    /** How a request was answered: with the handler's value, or not (errors cross as data, never as a dropped link). */
    enum ReplyStatus { OK, NO_HANDLER, FAILED }

    /**
     * The answer to the {@link Request} {@code id}: with {@code OK} the handler's value as JSON; otherwise a JSON
     * string that says why ({@code NO_HANDLER}: none is registered; {@code FAILED}: it threw, or its value could
     * not be sent).
     */
    record Reply(long id, ReplyStatus status, byte[] json) implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof Reply r && id == r.id && status == r.status && java.util.Arrays.equals(json, r.json);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(id) * 31 + status.hashCode()) * 31 + java.util.Arrays.hashCode(json);
        }

        @Override
        public String toString() {
            return "Reply[id=" + id + ", " + status + ", " + json.length + " bytes]";
        }
    }

    /** Worker to primary: a user message for every other worker (each gets it as a {@link UserMessage}). */
    record Broadcast(byte[] json) implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof Broadcast b && java.util.Arrays.equals(json, b.json);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(json);
        }

        @Override
        public String toString() {
            return "Broadcast[" + json.length + " bytes]";
        }
    }

    /** The primary asks the worker to close its servers, finish what is in flight and exit. */
    record Disconnect() implements Message { }

    /** The worker started disconnecting by itself. */
    record Disconnecting() implements Message { }

    /** The worker got SIGTERM: it drains and then dies as if by the signal (not an exit after disconnect). */
    record Stopping() implements Message { }

    /**
     * The worker cannot boot, and exits next: {@code cause} names a {@link io.jcluster.cluster.BootFailure.Cause}
     * ({@code NO_MAIN_CLASS}, {@code MAIN_THREW}).
     */
    record BootFailed(String cause, String detail) implements Message { }

    /** A heartbeat: the worker's event loop answers with a {@link Pong}. */
    record Ping(long seq) implements Message { }

    /** The answer to a {@link Ping}, with the worker's open connections and requests served so far. */
    record Pong(long seq, long connections, long requests) implements Message { }

    /**
     * Once a second, what only the worker can see: heap in use, GC pause time so far (nanoseconds), connections
     * accepted so far, the request-duration histogram of its HTTP layer ({@code durationCounts} per bucket, not
     * cumulative, empty when nothing was measured) and the application's own metrics ({@code appMetrics},
     * {@code SnapshotCodec}'s encoding, empty when none).
     */
    record Stats(long heapUsedBytes, long gcPauseNanos, long acceptedConnections, long[] durationCounts,
                 long durationSumNanos, byte[] appMetrics) implements Message {
        /** The most buckets a histogram may have on the wire. */
        public static final int MAX_BUCKETS = 64;

        @Override
        public boolean equals(Object o) {
            return o instanceof Stats s && heapUsedBytes == s.heapUsedBytes && gcPauseNanos == s.gcPauseNanos
                    && acceptedConnections == s.acceptedConnections && durationSumNanos == s.durationSumNanos
                    && java.util.Arrays.equals(durationCounts, s.durationCounts)
                    && java.util.Arrays.equals(appMetrics, s.appMetrics);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(heapUsedBytes, gcPauseNanos, acceptedConnections, durationSumNanos,
                    java.util.Arrays.hashCode(durationCounts), java.util.Arrays.hashCode(appMetrics));
        }

        @Override
        public String toString() {
            return "Stats[heapUsedBytes=" + heapUsedBytes + ", gcPauseNanos=" + gcPauseNanos + ", accepted="
                    + acceptedConnections + ", buckets=" + durationCounts.length + ", appMetrics="
                    + appMetrics.length + " bytes]";
        }
    }
}
