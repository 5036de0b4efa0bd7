package io.jcluster.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An entry reads back as written, and a file that is no entry reads as none (as with Jackson's data binding). */
class EntryTest {
    @TempDir
    Path home;

    @Test
    void anEntryReadsBackAsWritten() {
        Registry r = new Registry(home);
        Entry e = new Entry("web", 4242, "2026-01-01T00:00:00.120Z", "2026-01-01T00:00:01Z", home.resolve("web.sock").toString(),
                home.resolve("logs").toString(), "app.jar", 3, "running", null);
        r.write(e);
        assertThat(r.read("web")).contains(e);
        assertThat(r.list()).containsExactly(e);
    }

    @Test
    void readsWhatDataBindingRead() throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        for (String json : new String[] {
                "{\"name\":\"a\",\"pid\":1}",
                "{\"name\":\"a\",\"pid\":\"12\",\"instances\":2.7,\"state\":5,\"error\":true}",
                "{\"name\":null,\"pid\":null,\"instances\":null}",
                "{}"}) {
            assertThat(Entry.of(mapper.readTree(json))).as(json).isEqualTo(mapper.readValue(json, Entry.class));
        }
    }

    @Test
    void whatIsNoEntryReadsAsAbsent() throws Exception {
        Registry r = new Registry(Files.createDirectories(home));
        String[] bad = {"{\"name\":\"x\",\"colour\":\"red\"}", "[1]", "{\"name\":{\"a\":1}}", "{\"pid\":\"twelve\"}",
                "{\"instances\":12345678901}", "{\"pid\":true}", "{\"name\":", "", "nul"};
        for (int i = 0; i < bad.length; i++) {
            Files.writeString(home.resolve("bad" + i + ".json"), bad[i]);
            assertThat(r.read("bad" + i)).as(bad[i]).isEmpty();
        }
        assertThat(r.list()).isEmpty();
    }
}
