package matrix.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;

/** A Vert.x 5 HTTP server on 127.0.0.1 --port P [--transport epoll|nio]: GET / and GET /slow?ms=N. */
public final class VertxApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) {
        int port = 0;
        String transport = "nio";
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--transport")) {
                transport = args[i + 1];
            }
        }
        Vertx vertx = Vertx.builder().withTransport(transport.equals("epoll") ? Transport.EPOLL : Transport.NIO).build();
        if (transport.equals("epoll") && !vertx.isNativeTransportEnabled()) {
            System.err.println("epoll asked for but not enabled: " + vertx.unavailableNativeTransportCause());
            System.exit(2);
        }
        String name = "vertx5-" + transport;
        vertx.createHttpServer()
                .requestHandler(req -> {
                    if ("/slow".equals(req.path())) {
                        String q = req.getParam("ms");
                        long ms = q == null ? 100 : Long.parseLong(q);
                        vertx.setTimer(ms, t -> req.response().putHeader("content-type", "application/json")
                                .end("{\"pid\":" + PID + ",\"slept\":" + ms + "}"));
                    } else {
                        req.response().putHeader("content-type", "application/json")
                                .end("{\"pid\":" + PID + ",\"framework\":\"" + name + "\"}");
                    }
                })
                .listen(port, "127.0.0.1")
                .onSuccess(s -> System.out.println("Vert.x listening on 127.0.0.1:" + s.actualPort()
                        + " (native transport " + vertx.isNativeTransportEnabled() + ")"))
                .onFailure(e -> {
                    System.err.println("Vert.x failed to listen: " + e);
                    e.printStackTrace();
                    System.exit(1);
                });
    }
}
