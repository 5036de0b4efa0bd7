package io.jcluster.examples.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.http.App;
import io.jcluster.http.WebSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A chat over WebSockets whose clients may sit on different workers: what a client says goes to the clients of
 * its own worker and, through {@link Cluster#broadcast}, to every other worker, which hands it to its own clients.
 * The pattern socket.io's cluster adapter exists for, with no broker: the primary relays.
 *
 * <p>Clients connect to {@code ws://HOST:PORT/chat?name=NAME}; the first message each gets is
 * {@code {"type":"welcome","name":…,"worker":…,"pid":…}}, then every chat line as
 * {@code {"type":"chat","from":…,"text":…,"pid":…}} (the pid of the worker of its sender). {@code GET /} is a page
 * to try it in a browser.
 *
 * <p>Arguments: {@code [--port P] [--workers N]} (8000, 2). Also runs under {@code jcluster start} (its workers
 * only); with WebSockets and long-polling fallbacks, start it with sticky routing ({@code --balance sticky}) so a
 * client's reconnections reach the same worker.
 */
public final class ChatApp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatApp() {
    }

    public static void main(String[] args) {
        int port = 8000;
        int workers = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: ChatApp [--port P] [--workers N])");
            }
        }
        if (Cluster.isPrimary()) {
            primary(port, workers);
        } else {
            worker(port);
        }
    }

    static void primary(int port, int workers) {
        System.out.println("Chat primary " + ProcessHandle.current().pid() + ": " + workers + " workers, port " + port);
        // Workers run this main with these arguments (Node's default), and are replaced when they die.
        Cluster.setupPrimary(new ClusterSettings().restart(RestartPolicy.BACKOFF));
        Cluster.onListening((w, a) -> System.out.println("Chat worker " + w.id() + " (pid " + w.pid()
                + ") listening on port " + a.getPort()));
        Cluster.onExit((w, status) -> System.out.println("Chat worker " + w.pid() + " exited with " + status));
        for (int i = 0; i < workers; i++) {
            Cluster.fork();
        }
    }

    static void worker(int port) {
        Worker self = Cluster.worker();
        Set<WebSocket> clients = ConcurrentHashMap.newKeySet();
        // Lines said on other workers, relayed by the primary: to this worker's clients.
        self.onMessage(m -> {
            if (m.has("chat")) {
                deliver(clients, m.get("chat").toString());
            }
        });
        App app = App.create();
        app.get("/", (req, res) -> res.type("text/html; charset=utf-8").send(PAGE));
        app.ws("/chat", ws -> {
            String name = name(ws.uri());
            clients.add(ws);
            ObjectNode welcome = JSON.createObjectNode().put("type", "welcome").put("name", name)
                    .put("worker", self.id()).put("pid", self.pid());
            ws.send(welcome.toString());
            ws.onText(text -> {
                ObjectNode line = JSON.createObjectNode().put("type", "chat").put("from", name).put("text", text)
                        .put("pid", self.pid());
                deliver(clients, line.toString()); // this worker's clients, the sender included
                Cluster.broadcast(Map.of("chat", line)); // every other worker's
            });
            ws.onClose((code, reason) -> clients.remove(ws));
        });
        app.listen(port);
    }

    private static void deliver(Set<WebSocket> clients, String json) {
        for (WebSocket c : clients) {
            c.send(json);
        }
    }

    /** The {@code name} query parameter of {@code /chat?name=…}, or "anonymous". */
    static String name(String uri) {
        int q = uri.indexOf('?');
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                if (pair.startsWith("name=") && pair.length() > 5) {
                    String n = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                    return n.length() > 40 ? n.substring(0, 40) : n;
                }
            }
        }
        return "anonymous";
    }

    private static final String PAGE = """
            <!doctype html>
            <meta charset="utf-8"><title>jcluster chat</title>
            <p id="who">connecting…</p><ul id="lines"></ul>
            <form id="say"><input id="text" autocomplete="off" autofocus><button>Send</button></form>
            <script>
            const name = prompt("Your name?") || "anonymous";
            const ws = new WebSocket(`ws://${location.host}/chat?name=${encodeURIComponent(name)}`);
            const lines = document.getElementById("lines");
            ws.onmessage = e => {
              const m = JSON.parse(e.data);
              if (m.type === "welcome") {
                document.getElementById("who").textContent = `${m.name} on worker ${m.worker} (pid ${m.pid})`;
                return;
              }
              const li = document.createElement("li");
              li.textContent = `${m.from} (pid ${m.pid}): ${m.text}`;
              lines.append(li);
            };
            document.getElementById("say").onsubmit = e => {
              e.preventDefault();
              const t = document.getElementById("text");
              ws.send(t.value);
              t.value = "";
            };
            </script>
            """;
}
