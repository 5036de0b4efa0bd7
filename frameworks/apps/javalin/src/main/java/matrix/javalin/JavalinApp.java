package matrix.javalin;

import io.javalin.Javalin;

/** Javalin 7 (Jetty 12) on 127.0.0.1 --port P, its hello-world shape: GET / and GET /slow?ms=N. */
public final class JavalinApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) {
        int port = 0;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }
        int p = port;
        Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = p;
            config.routes.get("/", ctx -> ctx.contentType("application/json")
                    .result("{\"pid\":" + PID + ",\"framework\":\"javalin\"}"));
            config.routes.get("/slow", ctx -> {
                String q = ctx.queryParam("ms");
                long ms = q == null ? 100 : Long.parseLong(q);
                Thread.sleep(ms);
                ctx.contentType("application/json").result("{\"pid\":" + PID + ",\"slept\":" + ms + "}");
            });
        }).start();
    }
}
