package matrix.jetty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** Embedded Jetty 12 (core API) on 127.0.0.1 --port P: GET / and GET /slow?ms=N. */
public final class JettyApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[indexOf(args, "--port") + 1]);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String json;
                if ("/slow".equals(Request.getPathInContext(request))) {
                    Fields q = Request.extractQueryParameters(request);
                    long ms = q.getValue("ms") == null ? 100 : Long.parseLong(q.getValue("ms"));
                    Thread.sleep(ms);
                    json = "{\"pid\":" + PID + ",\"slept\":" + ms + "}";
                } else {
                    json = "{\"pid\":" + PID + ",\"framework\":\"jetty12\"}";
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        System.out.println("Jetty " + Server.getVersion() + " listening on " + connector.getHost() + ":" + connector.getLocalPort());
        server.join();
    }

    private static int indexOf(String[] args, String flag) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(flag)) {
                return i;
            }
        }
        throw new IllegalArgumentException("usage: " + flag + " N");
    }
}
