package io.jcluster.it;

import io.jcluster.cluster.Cluster;
import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.NetServer;
import io.jcluster.cluster.RestartPolicy;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.cluster.ServerClosing;
import io.jcluster.cluster.Worker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster program for the integration tests, run as a real process. The primary prints one line per event
 * ({@code EVENT <name> <fields>}) and takes commands on stdin; each worker serves a line protocol on the
 * shared port: {@code pid} answers the worker's pid, {@code slow MS} answers after MS milliseconds (without
 * blocking the event loop), {@code block MS} blocks the worker's event loop.
 *
 * <p>Arguments: {@code PORT WORKERS POLICY(rr|none) RESTART(on|off) [HOST]}; env {@code TEST_WORKER_JVM} adds flags to the
 * workers' JVMs, {@code TEST_WINDOW} sets the
 * hand-off window (default 64).
 */
public final class TestCluster {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        if (Cluster.isPrimary()) {
            primary(args, port);
        } else {
            worker(args.length > 4 ? args[4] : "", port);
        }
    }

    private static void primary(String[] args, int port) throws Exception {
        int n = Integer.parseInt(args[1]);
        ClusterSettings s = new ClusterSettings()
                .policy(SchedulingPolicy.parse(args[2]))
                .restart(switch (args[3]) {
                    case "on" -> RestartPolicy.BACKOFF;
                    case "tight" -> RestartPolicy.BACKOFF.withMaxRestarts(2, Duration.ofSeconds(30))
                            .withBackoff(Duration.ofMillis(50), 2, Duration.ofMillis(200));
                    default -> RestartPolicy.NEVER;
                })
                .shutdownTimeout(Duration.ofSeconds(5))
                .heartbeat(Duration.ofMillis(200), Duration.ofMillis(1500))
                .window(Integer.parseInt(System.getenv().getOrDefault("TEST_WINDOW", "64")));
        String workerJvm = System.getenv("TEST_WORKER_JVM");
        if (workerJvm != null) {
            java.util.List<String> jvm = new java.util.ArrayList<>(ClusterSettings.LEAN_JVM_ARGS);
            jvm.addAll(java.util.List.of(workerJvm.trim().split("\\s+")));
            s.jvmArgs(jvm);
        }
        Cluster.setupPrimary(s);
        Cluster.onFork(w -> {
            event("fork", w.id(), w.pid());
            event("slot", w.id(), w.slot(), w.generation());
        });
        Cluster.onBootFailure((w, f) -> event("bootFailure", w.id(), w.slot(), f.cause(), f.exit().code()));
        Cluster.onOnline(w -> event("online", w.id(), w.pid()));
        Cluster.onListening((w, a) -> event("listening", w.id(), a.getPort()));
        Cluster.onDisconnect(w -> event("disconnect", w.id()));
        Cluster.onExit((w, st) -> event("exit", w.id(), w.pid(), st.code(), st.signal(), w.exitedAfterDisconnect()));
        Cluster.onMessage((w, m) -> event("message", w.id(), m.toString()));
        Cluster.onUnresponsive((w, d) -> event("unresponsive", w.id(), d.toMillis() >= 1500));
        Cluster.onListenError((w, e) -> event("listenError", w.id(), e.code(), e.port()));
        Cluster.onGiveUp((w, why) -> event("giveUp", w.id(), w.forkEnv().get("TEST_ENV"), why));
        event("primary", ProcessHandle.current().pid());
        for (int i = 0; i < n; i++) {
            Cluster.fork();
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.trim().split(" ", 3);
            Worker w = c.length > 1 && !c[0].startsWith("fork") ? Cluster.workers().get(Integer.parseInt(c[1])) : null;
            switch (c[0]) {
                case "fork" -> Cluster.fork(c.length > 1 ? Map.of("TEST_ENV", c[1]) : Map.of());
                case "disconnect" -> w.disconnect();
                case "kill" -> w.kill(c[2]);
                case "send" -> w.send(io.jcluster.ipc.Json.MAPPER.readTree(c[2]));
                case "forkgen" -> Cluster.fork(Map.of(), Integer.parseInt(c[1]));
                case "retire" -> w.retire(Duration.ofMillis(Long.parseLong(c[2])))
                        .thenAccept(st -> event("retired", w.id(), st.code(), w.exitedAfterDisconnect()));
                case "cancel" -> {
                    w.cancelRestarts();
                    event("cancelled", w.id());
                }
                case "forksend" -> { // Node's common pattern: configure a worker before it is up
                    Worker f = Cluster.fork();
                    boolean connected = f.isConnected();
                    event("forksend", f.id(), connected, f.send(io.jcluster.ipc.Json.MAPPER.readTree(c[1])));
                }
                case "shutdown" -> Cluster.shutdown(Duration.ofSeconds(5)).thenRun(() -> event("stopped"));
                case "workers" -> event("workers", Cluster.workers().keySet());
                case "stats" -> event("stats", w.id(), w.stats().connections(), w.stats().requests(),
                        w.stats().lastHeartbeat() != null);
                default -> event("unknown-command", line);
            }
        }
    }

    private static void worker(String host, int port) {
        if ("crash".equals(System.getenv("TEST_ENV"))) {
            throw new IllegalStateException("this worker cannot boot"); // main throws: the JVM exits with 1
        }
        Worker self = Cluster.worker();
        self.onMessage(m -> {
            Map<String, Object> reply = new java.util.LinkedHashMap<>();
            reply.put("echo", m);
            reply.put("from", self.id());
            self.send(reply);
        });
        NetServer server = NetServer.create(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.UTF_8),
                        new StringEncoder(StandardCharsets.UTF_8), new LineHandler());
            }
        });
        server.listen(host, port).whenComplete((addr, err) -> {
            if (err != null) {
                System.out.println("LISTEN-ERROR " + err.getMessage());
                self.send(Map.of("listenError", err.getMessage()));
            } else {
                System.out.println("WORKER " + self.id() + " " + self.pid() + " listening " + addr.getPort());
            }
        });
        String env = System.getenv("TEST_ENV");
        if (env != null) {
            self.send(Map.of("env", env));
        }
    }

    private static final class LineHandler extends SimpleChannelInboundHandler<String> {
        private boolean busy;
        private boolean closing;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) throws Exception {
            String[] c = line.trim().split(" ");
            switch (c[0]) {
                case "pid" -> ctx.writeAndFlush(ProcessHandle.current().pid() + "\n");
                case "slow" -> {
                    busy = true;
                    ctx.executor().schedule(() -> {
                        busy = false;
                        ctx.writeAndFlush(ProcessHandle.current().pid() + "\n");
                        if (closing) {
                            ctx.close();
                        }
                    }, Long.parseLong(c[1]), TimeUnit.MILLISECONDS);
                }
                case "block" -> {
                    Thread.sleep(Long.parseLong(c[1]));
                    ctx.writeAndFlush("unblocked\n");
                }
                case "exit" -> System.exit(Integer.parseInt(c[1]));
                case "garbage" -> {
                    // A frame of an unknown type, written raw on the control link past the encoder.
                    java.lang.reflect.Field f = io.jcluster.worker.WorkerRuntime.class.getDeclaredField("control");
                    f.setAccessible(true);
                    Channel control = (Channel) f.get(io.jcluster.worker.WorkerRuntime.current());
                    // "sent" goes first: the primary kills this worker as soon as it reads the frame.
                    ctx.writeAndFlush("sent\n").addListener(done -> control.writeAndFlush(
                            io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 99, 1})));
                }
                default -> ctx.writeAndFlush("unknown " + line + "\n");
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ServerClosing.INSTANCE) {
                closing = true;
                if (!busy) {
                    ctx.close();
                }
            }
        }
    }

    static void event(String name, Object... fields) {
        StringBuilder b = new StringBuilder("EVENT ").append(name);
        for (Object f : fields) {
            b.append(' ').append(f);
        }
        System.out.println(b);
    }

}
