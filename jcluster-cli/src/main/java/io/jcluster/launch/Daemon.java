package io.jcluster.launch;

import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.Units;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code jcluster start --daemon}: starts the same command as a detached primary (its own session, no
 * terminal, output appended to {@code primary.log} in the log directory) and returns once its workers are up,
 * with the primary's exit status and message if it failed first.
 */
public final class Daemon {
    public static final String CHILD_FLAG = "--daemon-child";

    private Daemon() {
    }

    /** Launches the primary with {@code args} (the original ones, less --daemon) and waits until it is up. */
    public static int launch(String name, StartSpec spec, List<String> args, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        Registry registry = Registry.open().ensure();
        Path logDir = spec.logDir != null ? spec.logDir : registry.defaultLogDir(name);
        Files.createDirectories(logDir);
        Path primaryLog = logDir.resolve("primary.log");
        List<String> cmd = command(args);
        long logStart = Files.exists(primaryLog) ? Files.size(primaryLog) : 0;
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(primaryLog.toFile()))
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + spec.readyTimeout.plus(Duration.ofSeconds(60)).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                int code = p.exitValue();
                err.println(lastError(primaryLog, logStart).map(l -> l + " (the primary's log: " + primaryLog + ")")
                        .orElse("jcluster: the primary of " + name + " exited with status " + code + " before it was up; see "
                                + primaryLog));
                return code == 0 ? ExitCode.FAILED.code() : code;
            }
            Optional<Entry> e = registry.read(name);
            if (e.isPresent() && e.get().pid() == p.pid() && e.get().state().equals("running")) {
                out.println("jcluster: " + name + " is running in the background (primary pid " + p.pid() + ", "
                        + e.get().instances() + " worker(s)); logs in " + logDir + "; pid file "
                        + registry.pidFile(name));
                dashboard(primaryLog, logStart).ifPresent(out::println); // --admin: its URL (the port bound)
                return ExitCode.OK.code();
            }
            Thread.sleep(50);
        }
        throw new CliException(ExitCode.TIMEOUT, "the primary of " + name + " (pid " + p.pid() + ") is not up after "
                + Units.formatDuration(spec.readyTimeout.plus(Duration.ofSeconds(60))) + "; see " + primaryLog
                + " and 'jcluster status " + name + "'");
    }

    /**
     * The command of a detached primary running {@code start} with {@code args}: this JVM's java and flags, the
     * jcluster jar at its path (an upgrade runs the one on disk now), in its own session when setsid is there.
     */
    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute()) {
            cmd.add("setsid"); // its own session: no terminal, no Ctrl-C from the shell that started it
        }
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        cmd.addAll(flags);
        if (Runtime.version().feature() >= 22 && flags.stream().noneMatch(f -> f.startsWith("--enable-native-access"))) {
            // The jar's Enable-Native-Access attribute counts only for java -jar: on the class path, JDK 22+ would
            // print its restricted-method warning (JEP 454) into the primary's log when it loads JNI.
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.add("-cp");
        cmd.add(Application.selfJar());
        cmd.add("io.jcluster.cli.Main");
        cmd.add("start");
        cmd.add(CHILD_FLAG);
        cmd.addAll(args);
        return cmd;
    }

    /** The primary's one-line error ({@code jcluster: ...}, after the line's timestamp) written since {@code from}. */
    static Optional<String> lastError(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    StandardCharsets.UTF_8);
            String last = null;
            for (String line : text.split("\n")) {
                int at = line.indexOf("jcluster: "); // after the line's timestamp
                if (at >= 0 && line.substring(0, at).matches("(\\S+ )?")) {
                    last = line.substring(at);
                }
            }
            return Optional.ofNullable(last);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The primary's "Dashboard: URL" line of this start, from its log. */
    static Optional<String> dashboard(Path primaryLog, long from) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(primaryLog.toFile(), "r")) {
            f.seek(from);
            byte[] b = new byte[(int) Math.min(f.length() - from, 1 << 20)];
            f.readFully(b);
            return new String(b, java.nio.charset.StandardCharsets.UTF_8).lines().filter(l -> l.contains("Dashboard: http"))
                    .map(l -> l.substring(l.indexOf("Dashboard: "))).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
