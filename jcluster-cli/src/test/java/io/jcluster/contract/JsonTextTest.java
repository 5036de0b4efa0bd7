package io.jcluster.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JsonText reads and writes what an ObjectMapper reads and writes: the trees, the compact and the indented text. */
class JsonTextTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final List<String> SAMPLES = List.of("{}", "[]", "{\"a\":[]}", "{\"a\":{}}", "null", "true", "\"x\"", "3",
            "{\"name\":\"web\",\"pid\":100,\"cpuPercent\":1.25,\"rss\":-1,\"big\":12345678901,\"huge\":123456789012345678901234567890,"
                    + "\"tiny\":1.0E-7,\"large\":1.5E300,\"neg\":-0.0,\"z\":0.1,\"nothing\":null,\"ok\":true,\"no\":false,"
                    + "\"text\":\"é \\\" \\\\ \\n \\t \\u0001 \\u2028 😀 </script>\",\"addresses\":[\"*:8080\",\"[::1]:9\"],"
                    + "\"workers\":[{\"id\":1,\"lat\":{\"p50\":0.5,\"p99\":null},\"e\":[]},{\"id\":2}],\"dup\":1,\"dup\":2}",
            "[1, [2, [3, {\"a\": [ ]}]], \"s\"]  ");

    @Test
    void readsTheTreesAnObjectMapperReads() throws Exception {
        for (String json : SAMPLES) {
            JsonNode ours = JsonText.read(json.getBytes(StandardCharsets.UTF_8));
            JsonNode theirs = MAPPER.readTree(json);
            assertThat(ours).as(json).isEqualTo(theirs);
            assertThat(ours.getClass()).as(json).isEqualTo(theirs.getClass());
            if (ours.isObject()) {
                ours.fields().forEachRemaining(e -> assertThat(e.getValue().getClass()).as(e.getKey())
                        .isEqualTo(theirs.get(e.getKey()).getClass()));
            }
        }
        assertThat(JsonText.read(new byte[0])).isNull();
    }

    @Test
    void writesWhatAnObjectMapperWrites() throws Exception {
        for (String json : SAMPLES) {
            JsonNode tree = MAPPER.readTree(json);
            assertThat(JsonText.bytes(tree)).as(json).isEqualTo(MAPPER.writeValueAsBytes(tree));
            assertThat(JsonText.pretty(tree)).as(json).isEqualTo(PRETTY.writeValueAsString(tree));
        }
    }

    @Test
    void writesTreesBuiltInCodeAsAnObjectMapperDoes() throws Exception {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("short", (short) 7).put("float", 0.1f).put("double", 2.0 / 3).put("decimal", new BigDecimal("1.50"))
                .put("bigint", BigInteger.TEN.pow(30)).put("bytes", new byte[] {1, 2, 3}).putNull("null");
        n.putPOJO("pojo", List.of(1, 2));
        n.set("missing", n.path("absent"));
        n.putArray("list").add(1L).add(Long.MAX_VALUE).addNull().add("x");
        assertThat(JsonText.bytes(n)).isEqualTo(MAPPER.writeValueAsBytes(n));
        assertThat(JsonText.pretty(n)).isEqualTo(PRETTY.writeValueAsString(n));
    }
}
