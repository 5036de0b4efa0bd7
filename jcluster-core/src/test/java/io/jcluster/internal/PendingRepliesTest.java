package io.jcluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.RequestException;
import io.jcluster.cluster.RequestException.Reason;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message.Reply;
import io.jcluster.ipc.Message.ReplyStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingRepliesTest {
    private final PendingReplies replies = new PendingReplies(Runnable::run, "worker 3", 3);

    private static RequestException failure(CompletableFuture<JsonNode> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(RequestException.class);
            return (RequestException) e.getCause();
        }
        throw new AssertionError("completed normally");
    }

    @Test
    void aReplyCompletesItsRequestByIdWhateverTheOrder() throws Exception {
        PendingReplies.Open a = replies.open(Duration.ofSeconds(30));
        PendingReplies.Open b = replies.open(Duration.ofSeconds(30));
        assertThat(a.id()).isNotEqualTo(b.id());
        replies.complete(new Reply(b.id(), ReplyStatus.OK, Json.write("b")));
        replies.complete(new Reply(a.id(), ReplyStatus.OK, Json.write(java.util.Map.of("n", 1))));
        assertThat(a.future().get(1, TimeUnit.SECONDS).get("n").asInt()).isEqualTo(1);
        assertThat(b.future().get(1, TimeUnit.SECONDS).asText()).isEqualTo("b");
        assertThat(replies.size()).isZero();
    }

    @Test
    void noReplyWithinTheTimeoutFailsWithTimeoutAndALateReplyIsDropped() throws Exception {
        PendingReplies.Open o = replies.open(Duration.ofMillis(50));
        RequestException e = failure(o.future());
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e).hasMessage("no reply from worker 3 within 50 ms");
        replies.complete(new Reply(o.id(), ReplyStatus.OK, Json.write(1))); // too late: ignored
        assertThat(replies.size()).isZero();
    }

    @Test
    void thePeersEndFailsEveryOpenRequestWithPeerGone() throws Exception {
        PendingReplies.Open a = replies.open(Duration.ofSeconds(30));
        PendingReplies.Open b = replies.open(Duration.ofSeconds(30));
        assertThat(replies.failAll("exited")).isEqualTo(2);
        assertThat(failure(a.future()).reason()).isEqualTo(Reason.PEER_GONE);
        assertThat(failure(b.future())).hasMessage("worker 3 exited before it replied");
    }

    @Test
    void noHandlerAndAFailedHandlerAreErrorsThatSaySo() throws Exception {
        PendingReplies.Open a = replies.open(Duration.ofSeconds(30));
        PendingReplies.Open b = replies.open(Duration.ofSeconds(30));
        replies.complete(new Reply(a.id(), ReplyStatus.NO_HANDLER, Json.write("no request handler")));
        replies.complete(new Reply(b.id(), ReplyStatus.FAILED, Json.write("IllegalStateException: boom")));
        RequestException noHandler = failure(a.future());
        assertThat(noHandler.reason()).isEqualTo(Reason.NO_HANDLER);
        assertThat(noHandler).hasMessage("worker 3 has no request handler");
        RequestException failed = failure(b.future());
        assertThat(failed.reason()).isEqualTo(Reason.HANDLER_FAILED);
        assertThat(failed).hasMessage("the request handler of worker 3 failed: IllegalStateException: boom");
    }

    @Test
    void theMapIsBoundedAndRoomComesBackWhenARequestEnds() {
        PendingReplies.Open first = replies.open(Duration.ofSeconds(30));
        assertThat(replies.open(Duration.ofSeconds(30))).isNotNull();
        assertThat(replies.open(Duration.ofSeconds(30))).isNotNull();
        assertThat(replies.open(Duration.ofSeconds(30))).isNull();
        assertThat(replies.tooMany().reason()).isEqualTo(Reason.TOO_MANY_PENDING);
        assertThat(replies.tooMany()).hasMessage("3 requests to worker 3 already wait for replies");
        replies.fail(first.id(), new IllegalStateException("the IPC link to worker 3 is closed"));
        assertThat(replies.open(Duration.ofSeconds(30))).isNotNull();
        replies.failAll("stopped");
    }

    @Test
    void aWriteThatFailsFailsItsRequestAsPeerGoneAndABudgetErrorAsItself() throws Exception {
        PendingReplies.Open a = replies.open(Duration.ofSeconds(30));
        PendingReplies.Open b = replies.open(Duration.ofSeconds(30));
        replies.fail(a.id(), new IllegalStateException("the IPC link to worker 3 is closed"));
        replies.fail(b.id(), new RequestException(Reason.QUEUE_FULL, "full"));
        assertThat(failure(a.future())).hasMessage("could not send the request to worker 3: the IPC link to worker 3 is closed")
                .extracting(RequestException::reason).isEqualTo(Reason.PEER_GONE);
        assertThat(failure(b.future()).reason()).isEqualTo(Reason.QUEUE_FULL);
    }

    @Test
    void aTimeoutMustBePositive() {
        assertThatThrownBy(() -> replies.open(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> replies.open(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReplyThatIsNotJsonFailsTheRequestNotTheLink() throws Exception {
        PendingReplies.Open o = replies.open(Duration.ofSeconds(30));
        replies.complete(new Reply(o.id(), ReplyStatus.OK, "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(failure(o.future()).reason()).isEqualTo(Reason.HANDLER_FAILED);
    }
}
