package matrix.undertow;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Deque;

/** Undertow 2.3 (core, builder API) on 127.0.0.1 --port P: GET / and GET /slow?ms=N. */
public final class UndertowApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) {
        int port = 0;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setHandler(new HttpHandler() {
                    @Override
                    public void handleRequest(HttpServerExchange ex) throws Exception {
                        String json;
                        if ("/slow".equals(ex.getRequestPath())) {
                            if (ex.isInIoThread()) {
                                ex.dispatch(this); // blocking work off the IO thread, as Undertow's docs say
                                return;
                            }
                            Deque<String> q = ex.getQueryParameters().get("ms");
                            long ms = q == null ? 100 : Long.parseLong(q.getFirst());
                            Thread.sleep(ms);
                            json = "{\"pid\":" + PID + ",\"slept\":" + ms + "}";
                        } else {
                            json = "{\"pid\":" + PID + ",\"framework\":\"undertow\"}";
                        }
                        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                        ex.getResponseSender().send(json);
                    }
                })
                .build();
        server.start();
        System.out.println("Undertow listening on 127.0.0.1:" + port);
    }
}
