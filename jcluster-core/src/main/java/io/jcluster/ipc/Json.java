package io.jcluster.ipc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Internal: user messages are JSON, written and read by one shared Jackson mapper. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static byte[] write(Object message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new UncheckedIOException("message is not serializable as JSON: " + e.getMessage(), e);
        }
    }

    /** Parses a user message; throws IOException when it is not one JSON value. */
    public static JsonNode read(byte[] json) throws IOException {
        JsonNode node = MAPPER.readTree(json);
        if (node == null || node.isMissingNode()) {
            throw new IOException("empty message");
        }
        return node;
    }
}
