package io.jcluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.RequestException;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.cluster.Worker;
import io.jcluster.ipc.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of two workers for {@link MessagingIT}: request/reply both ways and broadcasts, as a user writes them.
 * The primary answers every worker's requests and prints one line per outcome ({@code EVENT …}); it takes
 * commands on stdin: {@code request ID TIMEOUT_MS JSON}, {@code broadcast JSON}, {@code tell ID JSON} (a plain
 * message), {@code kill ID}. Worker 1 answers requests ({@code {"sleep":MS}} answers after MS, {@code {"fail":…}}
 * throws); worker 2 registers no request handler. A worker told {@code {"ask":…}} asks the primary, told
 * {@code {"shout":…}} broadcasts to the others; it reports what it gets back, and every broadcast it receives, to
 * the primary as a message.
 */
public final class MessagingCluster {
    public static void main(String[] args) throws Exception {
        if (Cluster.isPrimary()) {
            primary();
        } else {
            worker();
        }
    }

    private static void primary() throws Exception {
        Cluster.setupPrimary(new ClusterSettings().restart(RestartPolicy.NEVER).shutdownTimeout(Duration.ofSeconds(5)));
        Cluster.onRequest((w, m) -> map("answeredBy", "primary", "to", w.id(), "echo", m));
        Cluster.onMessage((w, m) -> event("message", w.id(), m));
        Cluster.onExit((w, st) -> event("exit", w.id(), st));
        Cluster.fork();
        Cluster.fork();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] c = line.trim().split(" ", 4);
            switch (c[0]) {
                case "request" -> {
                    Worker w = Cluster.workers().get(Integer.parseInt(c[1]));
                    String tag = c[1];
                    w.request(Json.MAPPER.readTree(c[3]), Duration.ofMillis(Long.parseLong(c[2])))
                            .whenComplete((reply, err) -> {
                                if (err != null) {
                                    RequestException e = (RequestException) unwrap(err);
                                    event("requestFailed", tag, e.reason(), e.getMessage());
                                } else {
                                    event("reply", tag, reply);
                                }
                            });
                }
                case "broadcast" -> event("broadcast", Cluster.broadcast(Json.MAPPER.readTree(line.substring(10))));
                case "tell" -> Cluster.workers().get(Integer.parseInt(c[1])).send(Json.MAPPER.readTree(line.split(" ", 3)[2]));
                case "kill" -> Cluster.workers().get(Integer.parseInt(c[1])).kill("SIGKILL");
                default -> event("unknown-command", line);
            }
        }
    }

    private static void worker() {
        Worker self = Cluster.worker();
        if (self.id() == 1) {
            Cluster.onRequest((me, m) -> {
                if (m.has("sleep")) {
                    return CompletableFuture.supplyAsync(() -> map("slept", m.get("sleep").asLong()),
                            CompletableFuture.delayedExecutor(m.get("sleep").asLong(), TimeUnit.MILLISECONDS));
                }
                if (m.has("fail")) {
                    throw new IllegalStateException(m.get("fail").asText());
                }
                return map("answeredBy", "worker", "id", me.id(), "pid", me.pid(), "echo", m);
            });
        }
        self.onMessage(m -> {
            if (m.has("ask")) {
                Cluster.request(m.get("ask")).whenComplete((reply, err) -> self.send(
                        err == null ? map("asked", reply) : map("askFailed", unwrap(err).getMessage())));
            } else if (m.has("shout")) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("from", self.id());
                b.put("text", m.get("shout").asText());
                self.send(map("shouted", Cluster.broadcast(b)));
            } else {
                self.send(map("got", m, "me", self.id()));
            }
        });
        self.send(map("ready", self.id(), "pid", self.pid()));
    }

    /** A map that keeps its order, so the JSON reads the same every time. */
    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    static void event(String name, Object... fields) {
        StringBuilder b = new StringBuilder("EVENT ").append(name);
        for (Object f : fields) {
            b.append(' ').append(f instanceof JsonNode n ? n.toString() : f);
        }
        System.out.println(b);
    }
}
