package io.jcluster.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import org.junit.jupiter.api.Test;

class FramesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void roundTripIsALengthThenJson() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonNode req = JSON.readTree("{\"id\":1,\"command\":\"status\",\"args\":{}}");
        Frames.write(Channels.newChannel(out), req);
        Frames.write(Channels.newChannel(out), req);
        byte[] bytes = out.toByteArray();
        int len = ByteBuffer.wrap(bytes).getInt();
        assertThat(new String(bytes, 4, len)).isEqualTo("{\"id\":1,\"command\":\"status\",\"args\":{}}");
        var in = Channels.newChannel(new ByteArrayInputStream(bytes));
        assertThat(Frames.read(in)).isEqualTo(req);
        assertThat(Frames.read(in)).isEqualTo(req);
        assertThat(Frames.read(in)).as("a clean end").isNull();
    }

    @Test
    void brokenFramesAreErrors() {
        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(new byte[] {0, 0, 0, 9, '{'}))))
                .isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(new byte[] {0x7f, 0, 0, 0}))))
                .isInstanceOf(IOException.class).hasMessageContaining("bad frame length");
        assertThatThrownBy(() -> Frames.read(Channels.newChannel(new ByteArrayInputStream(new byte[] {0, 0, 0, 2, '[', ']'}))))
                .hasMessageContaining("one JSON object");
    }
}
