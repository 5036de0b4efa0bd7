package io.jcluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.ipc.Codec;
import io.jcluster.ipc.Json;
import io.jcluster.ipc.Message;
import io.jcluster.ipc.Message.Reply;
import io.jcluster.ipc.Message.ReplyStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplierTest {
    private final List<Message> written = new ArrayList<>();
    private final JsonNode body = Json.MAPPER.valueToTree(Map.of("op", "sum", "args", List.of(1, 2)));

    private Reply only() {
        assertThat(written).hasSize(1);
        return (Reply) written.get(0);
    }

    private static String text(Reply r) throws Exception {
        return Json.read(r.json()).asText();
    }

    @Test
    void theHandlersValueIsTheReply() throws Exception {
        Replier.answer(7, body, m -> Map.of("sum", m.get("args").get(0).asInt() + m.get("args").get(1).asInt()), written::add);
        assertThat(only().id()).isEqualTo(7);
        assertThat(only().status()).isEqualTo(ReplyStatus.OK);
        assertThat(Json.read(only().json()).get("sum").asInt()).isEqualTo(3);
    }

    @Test
    void nullRepliesJsonNull() throws Exception {
        Replier.answer(1, body, m -> null, written::add);
        assertThat(only().status()).isEqualTo(ReplyStatus.OK);
        assertThat(Json.read(only().json()).isNull()).isTrue();
    }

    @Test
    void noHandlerRepliesNoHandler() {
        Replier.answer(2, body, null, written::add);
        assertThat(only().status()).isEqualTo(ReplyStatus.NO_HANDLER);
    }

    @Test
    void aHandlerThatThrowsRepliesFailedWithTheError() throws Exception {
        Replier.answer(3, body, m -> {
            throw new IllegalStateException("no such op");
        }, written::add);
        assertThat(only().status()).isEqualTo(ReplyStatus.FAILED);
        assertThat(text(only())).isEqualTo("IllegalStateException: no such op");
    }

    @Test
    void aStageRepliesWhenItCompletesAndAFailedStageRepliesFailed() throws Exception {
        CompletableFuture<Object> later = new CompletableFuture<>();
        Replier.answer(4, body, m -> later, written::add);
        assertThat(written).isEmpty();
        later.complete("done");
        assertThat(text(only())).isEqualTo("done");
        written.clear();
        Replier.answer(5, body, m -> CompletableFuture.failedFuture(new java.io.IOException("disk")), written::add);
        assertThat(only().status()).isEqualTo(ReplyStatus.FAILED);
        assertThat(text(only())).isEqualTo("IOException: disk");
    }

    @Test
    void aValueThatCannotBeSentRepliesFailedInsteadOfBreakingTheLink() throws Exception {
        Replier.answer(6, body, m -> new Object(), written::add); // Jackson cannot write a bare Object
        assertThat(only().status()).isEqualTo(ReplyStatus.FAILED);
        assertThat(text(only())).startsWith("its reply cannot be sent: message is not serializable as JSON");
        written.clear();
        Replier.answer(8, body, m -> "x".repeat(Codec.MAX_USER_MESSAGE), written::add);
        assertThat(only().status()).isEqualTo(ReplyStatus.FAILED);
        assertThat(text(only())).contains("is larger than the " + Codec.MAX_USER_MESSAGE + " bytes a link carries");
    }
}
