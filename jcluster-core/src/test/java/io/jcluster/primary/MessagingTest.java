package io.jcluster.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.RequestException;
import io.jcluster.cluster.RequestException.Reason;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Reply;
import io.jcluster.ipc.Message.ReplyStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Request/reply and broadcast on the primary's side, in process: each worker's control link is an
 * {@link EmbeddedChannel} with the real codec, so what goes on the wire is read back as frames.
 */
class MessagingTest {
    private final Primary primary = new Primary();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    private WorkerHandle worker(int id, boolean linked) {
        WorkerHandle w = new WorkerHandle(primary, id, new Slot(id, 1, Map.of(), new RestartTracker(RestartPolicy.NEVER)), "t");
        if (linked) {
            link(w);
        }
        return w;
    }

    private EmbeddedChannel link(WorkerHandle w) {
        EmbeddedChannel c = new EmbeddedChannel();
        Codec.install(c.pipeline());
        channels.add(c);
        w.control(c);
        w.linked();
        return c;
    }

    private static EmbeddedChannel channel(WorkerHandle w) {
        return (EmbeddedChannel) w.control();
    }

    /** The frames written on a link so far. */
    private static List<Message> written(WorkerHandle w) {
        List<Message> out = new ArrayList<>();
        for (ByteBuf b; (b = channel(w).readOutbound()) != null; ) {
            try {
                b.skipBytes(4);
                out.add(Codec.readFrame(b));
            } finally {
                b.release();
            }
        }
        return out;
    }

    private static RequestException failure(CompletableFuture<JsonNode> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (RequestException) e.getCause();
        }
        throw new AssertionError("completed normally");
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void aRequestCarriesAnIdAndItsReplyCompletesIt() throws Exception {
        WorkerHandle w = worker(1, true);
        CompletableFuture<JsonNode> f = w.request(Map.of("q", "status"));
        Message.Request r = (Message.Request) written(w).get(0);
        assertThat(Json.read(r.json()).get("q").asText()).isEqualTo("status");
        w.reply(new Reply(r.id(), ReplyStatus.OK, Json.write(Map.of("ok", true))));
        assertThat(f.get(30, TimeUnit.SECONDS).get("ok").asBoolean()).isTrue();
    }

    @Test
    void aRequestTimesOutAtItsOwnTimeout() throws Exception {
        WorkerHandle w = worker(1, true);
        RequestException e = failure(w.request("anyone?", Duration.ofMillis(100)));
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e).hasMessage("no reply from worker 1 within 100 ms");
    }

    @Test
    void theWorkersEndFailsItsOpenRequestsAndLaterOnesAtOnce() throws Exception {
        WorkerHandle w = worker(1, true);
        CompletableFuture<JsonNode> open = w.request("q");
        primary.links.fireDisconnect(w);
        RequestException e = failure(open);
        assertThat(e.reason()).isEqualTo(Reason.PEER_GONE);
        assertThat(e).hasMessage("worker 1 disconnected before it replied");
        RequestException later = failure(w.request("q"));
        assertThat(later.reason()).isEqualTo(Reason.PEER_GONE);
        assertThat(later).hasMessageContaining("worker 1 is not connected");
    }

    @Test
    void anOversizedOrUnserialisableMessageThrowsToTheSenderAndTheLinkStaysUp() {
        WorkerHandle w = worker(1, true);
        String huge = "x".repeat(Codec.MAX_USER_MESSAGE);
        assertThatThrownBy(() -> w.request(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("larger than the " + Codec.MAX_USER_MESSAGE + " bytes a link carries");
        assertThatThrownBy(() -> w.send(huge)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Primary.class.cast(primary).messaging.broadcast(huge))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.request(new Object())).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("message is not serializable as JSON");
        assertThat(channel(w).isActive()).isTrue();
        assertThat(written(w)).isEmpty();
        assertThat(w.send(Map.of("still", "up"))).isTrue();
        assertThat(written(w)).hasSize(1);
    }

    @Test
    void requestsBeforeTheLinkIsUpWaitForItInOrder() throws Exception {
        WorkerHandle w = worker(1, false);
        CompletableFuture<JsonNode> f = w.request("first");
        w.send("second");
        link(w);
        List<Message> frames = written(w);
        assertThat(frames).hasSize(2);
        Message.Request r = (Message.Request) frames.get(0);
        assertThat(frames.get(1)).isInstanceOf(Message.UserMessage.class);
        w.reply(new Reply(r.id(), ReplyStatus.OK, Json.write("pong")));
        assertThat(f.get(30, TimeUnit.SECONDS).asText()).isEqualTo("pong");
    }

    @Test
    void aWorkersRequestIsAnsweredByItsOwnHandlerElseTheClustersElseNoHandler() throws Exception {
        WorkerHandle a = worker(1, true), b = worker(2, true), c = worker(3, true);
        Messaging m = new Messaging(Runnable::run, List.of(a, b, c));
        m.request(a, new Message.Request(5, Json.write("hi")));
        Reply none = (Reply) written(a).get(0);
        assertThat(none.id()).isEqualTo(5);
        assertThat(none.status()).isEqualTo(ReplyStatus.NO_HANDLER);

        m.handler((w, msg) -> "cluster answers worker " + w.id() + ": " + msg.asText());
        b.onRequest(msg -> "b's own");
        m.request(a, new Message.Request(6, Json.write("hi")));
        m.request(b, new Message.Request(7, Json.write("hi")));
        assertThat(Json.read(((Reply) written(a).get(0)).json()).asText()).isEqualTo("cluster answers worker 1: hi");
        assertThat(Json.read(((Reply) written(b).get(0)).json()).asText()).isEqualTo("b's own");
        assertThatThrownBy(() -> m.handler((w, msg) -> null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.onRequest(msg -> null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aWorkersBroadcastReachesEveryOtherWorkerAndThePrimarysReachesAll() throws Exception {
        WorkerHandle a = worker(1, true), b = worker(2, true), c = worker(3, true);
        Messaging m = new Messaging(Runnable::run, List.of(a, b, c));
        m.broadcastFrom(a, new Message.Broadcast(Json.write(Map.of("chat", "hello"))));
        assertThat(written(a)).isEmpty();
        for (WorkerHandle w : List.of(b, c)) {
            Message.UserMessage u = (Message.UserMessage) written(w).get(0);
            assertThat(Json.read(u.json()).get("chat").asText()).isEqualTo("hello");
        }
        primary.links.fireDisconnect(c); // a disconnected worker is skipped
        assertThat(m.broadcast("all")).isEqualTo(2);
        assertThat(written(a)).hasSize(1);
        assertThat(written(b)).hasSize(1);
        assertThat(written(c)).isEmpty();
    }
}
