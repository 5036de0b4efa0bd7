package io.jcluster.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AppTest {
    @Test
    void conflictingRoutesFailAtRegistrationWithAClearMessage() {
        App app = App.create();
        app.get("/users/:id", (req, res) -> res.end());
        assertThatThrownBy(() -> app.get("/users/:name", (req, res) -> res.end()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route conflict: GET /users/:name matches the same requests as GET /users/:id, "
                        + "registered before");
        app.post("/users/:id", (req, res) -> res.end()); // other method: fine
    }

    @Test
    void middlewarePathsMustBeLiteral() {
        App app = App.create();
        assertThatThrownBy(() -> app.use("api", (req, res, next) -> next.next()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> app.use("/api/:v", (req, res, next) -> next.next()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsAreValidatedAndCopiedAtCreate() {
        assertThatThrownBy(() -> new HttpOptions().keepAliveTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpOptions().maxHeaderSize(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpOptions().maxBodySize(-1)).isInstanceOf(IllegalArgumentException.class);

        HttpOptions options = new HttpOptions().maxBodySize(3);
        App app = App.create(options);
        options.maxBodySize(1000); // no effect on the app already created
        app.post("/", (req, res) -> res.send(req.body()));
        try (Wire w = new Wire(app)) {
            String out = w.exchange("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd");
            assertThat(out).startsWith("HTTP/1.1 413 ");
        }
    }

    @Test
    void routesAddedAfterTrafficStartedAreServed() {
        App app = App.create();
        app.get("/a", (req, res) -> res.send("a"));
        try (Wire w = new Wire(app)) {
            assertThat(w.exchange(Wire.get("/b"))).startsWith("HTTP/1.1 404 ");
            app.get("/b", (req, res) -> res.send("b"));
            assertThat(w.exchange(Wire.get("/b"))).endsWith("\r\n\r\nb");
        }
    }

    @Test
    void statusAndTypeValidation() {
        App app = App.create();
        app.get("/bad-status", (req, res) -> res.status(99).end());
        app.get("/type", (req, res) -> res.type("html").send("<p>hi</p>"));
        app.get("/type-no-charset", (req, res) -> res.type("text/csv").send("a,b"));
        app.get("/bytes", (req, res) -> res.type("image/png").send(new byte[] {1, 2}));
        try (Wire w = new Wire(app)) {
            assertThat(w.exchange(Wire.get("/bad-status"))).startsWith("HTTP/1.1 500 ");
            assertThat(w.exchange(Wire.get("/type"))).contains("content-type: text/html; charset=utf-8\r\n");
            assertThat(w.exchange(Wire.get("/type-no-charset"))).contains("content-type: text/csv; charset=utf-8\r\n");
            assertThat(w.exchange(Wire.get("/bytes"))).isEqualTo(
                    "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 2\r\n\r\n\u0001\u0002");
        }
    }
}
