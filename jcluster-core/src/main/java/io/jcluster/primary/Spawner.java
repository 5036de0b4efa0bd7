package io.jcluster.primary;

import io.jcluster.cluster.ClusterSettings;
import io.jcluster.cluster.OutputListener;
import io.jcluster.cluster.SchedulingPolicy;
import io.jcluster.worker.WorkerRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds a worker's command line and environment, starts the process, and pipes its output when silent. */
final class Spawner {
    /** Extra JVM flags for every worker, appended after the configured ones (so they win). */
    static final String ENV_JAVA_OPTS = "JCLUSTER_WORKER_JAVA_OPTS";
    private static final Logger log = LoggerFactory.getLogger(Spawner.class);
    /** Whether the workers' java (the primary's) knows {@code --enable-native-access} for the class path: 22+. */
    private static final boolean NATIVE_ACCESS_FLAG = Runtime.version().feature() >= 22;

    private final ClusterSettings settings;
    private final SchedulingPolicy policy;
    private final String javaBin;
    private final String mainClass;
    private final Path jar;
    private final String classpath;
    private final List<String> args;
    private final ClassDataSharing cds;

    Spawner(ClusterSettings settings, SchedulingPolicy policy) {
        this.settings = settings;
        this.policy = policy;
        this.javaBin = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ClusterSettings full = withDefaults(settings);
        this.jar = full.jar();
        this.mainClass = full.jar() == null && full.mainClass() == null ? "" : full.mainClass();
        this.classpath = full.classpath() != null ? full.classpath() : System.getProperty("java.class.path");
        this.args = full.args();
        this.cds = settings.classDataSharing()
                ? ClassDataSharing.forCommand(command(List.of(), false), jar != null ? List.of(jar.toString())
                        : classpath == null ? List.of() : List.of(classpath.split(java.io.File.pathSeparator)))
                : null;
    }

    /**
     * {@code s} with Node's defaults filled in where it sets nothing: the primary's own main (class or jar) and
     * program arguments, as Node re-runs the same script, and the primary's classpath.
     */
    static ClusterSettings withDefaults(ClusterSettings s) {
        ClusterSettings c = s.copy();
        Self self = Self.read();
        if (c.mainClass() == null && c.jar() == null && !self.main().isEmpty()) {
            if (self.main().endsWith(".jar")) {
                c.jar(Path.of(self.main()));
            } else {
                c.mainClass(self.main());
            }
        }
        if (c.args() == null) {
            c.args(self.args());
        }
        if (c.classpath() == null && c.jar() == null) {
            c.classpath(System.getProperty("java.class.path"));
        }
        return c;
    }

    List<String> command() {
        return command(List.of(), true);
    }

    /** The worker's command line; without the program arguments, it is what a class data archive depends on. */
    private List<String> command(List<String> extraJvmArgs, boolean withProgramArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.addAll(settings.jvmArgs());
        cmd.addAll(extraJvmArgs);
        String extra = System.getenv(ENV_JAVA_OPTS);
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        if (NATIVE_ACCESS_FLAG && cmd.stream().noneMatch(a -> a.startsWith("--enable-native-access"))) {
            // A worker loads JNI (Netty's epoll, libjcluster-fds): said on the command line, JDK 22+ prints no
            // restricted-method warning (JEP 454). Workers run the primary's java, so its version decides.
            cmd.add(1, "--enable-native-access=ALL-UNNAMED");
        }
        if (jar != null) {
            cmd.add("-jar");
            cmd.add(jar.toString());
        } else {
            if (classpath != null && !classpath.isEmpty()) {
                cmd.add("-cp");
                cmd.add(classpath);
            }
            cmd.add(mainClass);
        }
        if (withProgramArgs) {
            cmd.addAll(args);
        }
        return cmd;
    }

    Process start(WorkerHandle worker, Path socket, String token, Map<String, String> extraEnv) throws IOException {
        int id = worker.id();
        ProcessBuilder pb = new ProcessBuilder(command(cds == null ? List.of() : cds.flags(id), true));
        Map<String, String> env = pb.environment();
        if (cds != null && cds.dumping(id)) {
            env.put(ClassDataSharing.ENV_DUMPING, "1");
        }
        // Socket activation's variables are this process's, not the workers' (sd_listen_fds unsets them too).
        env.remove(ListenSockets.ENV_FDS);
        env.remove(ListenSockets.ENV_PID);
        env.remove(ListenSockets.ENV_NAMES);
        env.putAll(settings.env());
        env.putAll(extraEnv);
        env.put(WorkerRuntime.ENV_IPC, socket.toString());
        env.put(WorkerRuntime.ENV_TOKEN, token);
        env.put(WorkerRuntime.ENV_ID, Integer.toString(id));
        env.put(WorkerRuntime.ENV_DRAIN, Long.toString(settings.shutdownTimeout().toMillis()));
        env.put(io.jcluster.cluster.Worker.ENV_SLOT, Integer.toString(worker.slot()));
        env.put(io.jcluster.cluster.Worker.ENV_GENERATION, Integer.toString(worker.generation()));
        env.put(SchedulingPolicy.ENV, policy.name().toLowerCase(Locale.ROOT));
        env.put(io.jcluster.cluster.Balance.ENV, settings.balance().label());
        if (settings.directory() != null) {
            pb.directory(settings.directory().toFile());
        }
        boolean piped = settings.silent() || settings.output() != null;
        if (piped) {
            pb.redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE);
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        if (cds != null) {
            worker.listening.thenRun(() -> cds.listening(id)); // completed on the supervisor thread
        }
        if (piped) {
            OutputListener sink = settings.output();
            if (sink == null) {
                String prefix = "[worker " + id + " " + p.pid() + "] ";
                sink = (w, stderr, line) -> (stderr ? System.err : System.out).println(prefix + line);
            }
            pump(p.getInputStream(), worker, false, sink);
            pump(p.getErrorStream(), worker, true, sink);
        }
        return p;
    }

    /** The worker exited: a class data archive it wrote at exit is published. */
    void exited(WorkerHandle worker) {
        if (cds != null) {
            cds.exited(worker.id());
        }
    }

    /** Hands a worker's output on line by line; whole lines only, so lines never interleave. */
    private static void pump(InputStream in, WorkerHandle worker, boolean stderr, OutputListener sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    try {
                        sink.line(worker, stderr, line);
                    } catch (RuntimeException e) {
                        log.error("the output listener failed on a line of worker {}", worker.id(), e);
                    }
                }
            } catch (IOException e) {
                log.debug("output of worker {} ended: {}", worker.id(), e.toString());
            }
        }, "jcluster-output-" + worker.id() + (stderr ? "-err" : "-out"));
        t.setDaemon(true);
        t.start();
    }

    /** The primary's own main (class or jar) and program arguments, read from the JVM's command line. */
    record Self(String main, List<String> args) {
        static Self read() {
            String command = System.getProperty("sun.java.command", "").trim();
            String main = command.isEmpty() ? "" : command.split(" ")[0];
            Optional<String[]> all = ProcessHandle.current().info().arguments();
            List<String> args = new ArrayList<>();
            if (all.isPresent()) {
                String[] a = all.get();
                for (int i = 0; i < a.length; i++) {
                    if (a[i].equals(main)) {
                        args.addAll(List.of(a).subList(i + 1, a.length));
                        break;
                    }
                }
            } else if (command.contains(" ")) {
                args.addAll(List.of(command.substring(command.indexOf(' ') + 1).split(" ")));
            }
            return new Self(main, args);
        }
    }
}
