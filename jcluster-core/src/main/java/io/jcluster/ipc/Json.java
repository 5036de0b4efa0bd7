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

    /**
     * A user message as JSON. Throws {@link UncheckedIOException} when it cannot be written as JSON, and
     * {@link IllegalArgumentException} when it is larger than a link carries ({@link Codec#MAX_USER_MESSAGE}):
     * the sender gets the error, the link stays up.
     */
    public static byte[] write(Object message) {
        byte[] json;
        try {
            json = MAPPER.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new UncheckedIOException("message is not serializable as JSON: " + e.getMessage(), e);
        }
        if (json.length > Codec.MAX_USER_MESSAGE) {
            throw new IllegalArgumentException("a message of " + json.length + " bytes as JSON is larger than the "
                    + Codec.MAX_USER_MESSAGE + " bytes a link carries");
        }
        return json;
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
