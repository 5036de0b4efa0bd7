package io.jcluster.parity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Node's {@code test/parallel/test-cluster-*.js} scenarios, each a program of this package run as a real primary
 * JVM that forks real workers. A scenario passes when its program exits 0 within the deadline and no process of
 * it printed a {@code FAIL} line; on failure the assertion shows everything the primary and its workers printed.
 * Every process a scenario started is killed in {@code finally}, found by a marker in its environment (workers
 * inherit it) as well as by descent, so that workers orphaned by a dead primary are found too.
 */
class NodeParityIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String MARKER = "JCLUSTER_PARITY_RUN";

    @Test
    void workerDeath() throws Exception {
        run(WorkerDeath.class);
    }

    @Test
    void workerExit() throws Exception {
        run(WorkerExit.class);
    }

    @Test
    void workerKill() throws Exception {
        run(WorkerKill.class);
    }

    @Test
    void workerKillWithAnIdleConnectionDiesBySigtermWithinTheDeadline() throws Exception {
        run(IdleConnectionDeadline.class, "kill");
    }

    @Test
    void workerDisconnectWithAnIdleConnectionEndsWithinTheDeadline() throws Exception {
        run(IdleConnectionDeadline.class, "disconnect");
    }

    @Test
    void workerDisconnect() throws Exception {
        run(WorkerDisconnect.class);
    }

    @Test
    void workerIsDead() throws Exception {
        run(WorkerIsDead.class);
    }

    @Test
    void workerIsConnected() throws Exception {
        run(WorkerIsConnected.class);
    }

    @Test
    void workerEvents() throws Exception {
        run(WorkerEvents.class);
    }

    @Test
    void forkEnv() throws Exception {
        run(Map.of("cluster_test_overwrite", "old"), ForkEnv.class);
    }

    @Test
    void setupPrimary() throws Exception {
        run(SetupPrimary.class);
    }

    @Test
    void setupPrimaryCumulative() throws Exception {
        run(SetupPrimaryCumulative.class, "alpha", "beta");
    }

    @Test
    void eaddrinuseRoundRobin() throws Exception {
        run(EaddrInUse.class, "rr");
    }

    @Test
    void eaddrinuseNone() throws Exception {
        run(EaddrInUse.class, "none");
    }

    @Test
    void sharedHandleBindError() throws Exception {
        run(SharedHandleBindError.class);
    }

    @Test
    void message() throws Exception {
        run(Message.class);
    }

    @Test
    void disconnect() throws Exception {
        run(Disconnect.class);
    }

    @Test
    void killDisconnect() throws Exception {
        run(KillDisconnect.class);
    }

    @Test
    void killInfiniteLoop() throws Exception {
        run(KillInfiniteLoop.class);
    }

    @Test
    void killInfiniteLoopWithWorkerKill() throws Exception {
        run(KillInfiniteLoop.class, "api");
    }

    @Test
    void waitServerClose() throws Exception {
        run(WaitServerClose.class);
    }

    @Test
    void primaryKill() throws Exception {
        run(PrimaryKill.class);
    }

    private static void run(Class<?> program, String... args) throws Exception {
        run(Map.of(), program, args);
    }

    private static void run(Map<String, String> env, Class<?> program, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), program.getName()));
        if (Runtime.version().feature() >= 22) {
            cmd.add(1, "--enable-native-access=ALL-UNNAMED"); // a primary of the API loads JNI: said, 25 warns not
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        String marker = UUID.randomUUID().toString();
        pb.environment().put(MARKER, marker);
        pb.environment().put("JCLUSTER_CDS_DIR", "off"); // hermetic, and no archive dump slowing a worker's exit
        pb.environment().putAll(env);
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Set<ProcessHandle> seen = Collections.synchronizedSet(new HashSet<>());
        long started = System.nanoTime();
        Process primary = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(primary.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    primary.descendants().forEach(seen::add);
                }
            } catch (IOException e) {
                output.add("(output ended: " + e + ")");
            }
        }, "parity-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean ended = primary.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            reader.join(2000); // the rest of the output, as far as the primary wrote it
            long millis = (System.nanoTime() - started) / 1_000_000;
            String shown = program.getSimpleName() + " " + String.join(" ", args) + " (" + millis + " ms):\n"
                    + String.join("\n", snapshot(output));
            assertThat(ended).as("%s did not end within %d s; output:\n%s", program.getSimpleName(),
                    DEADLINE.toSeconds(), shown).isTrue();
            assertThat(snapshot(output)).as("FAIL lines; output of %s", shown)
                    .noneMatch(l -> l.startsWith("FAIL"));
            assertThat(primary.exitValue()).as("exit status; output of %s", shown).isZero();
            System.out.println(shown);
        } finally {
            killAll(primary, seen, marker);
        }
    }

    private static List<String> snapshot(List<String> lines) {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Kills the primary, every descendant seen, and every process carrying this run's marker; waits for all. */
    private static void killAll(Process primary, Set<ProcessHandle> seen, String marker) throws Exception {
        Set<ProcessHandle> tree = new HashSet<>(seen);
        primary.descendants().forEach(tree::add);
        tree.addAll(marked(marker));
        primary.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        primary.waitFor(10, TimeUnit.SECONDS);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : tree) {
            while (Common.isAlive(h.pid()) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(Common.isAlive(h.pid())).as("process %d of the scenario still alive after SIGKILL", h.pid()).isFalse();
        }
        assertThat(marked(marker)).as("processes of the scenario left running").isEmpty();
    }

    /** Live (not zombie) processes whose environment carries {@code MARKER=marker}. */
    private static List<ProcessHandle> marked(String marker) {
        byte[] needle = (MARKER + "=" + marker).getBytes(StandardCharsets.US_ASCII);
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                try {
                    if (contains(Files.readAllBytes(p.resolve("environ")), needle) && Common.isAlive(pid)) {
                        ProcessHandle.of(pid).ifPresent(found::add);
                    }
                } catch (IOException | SecurityException e) {
                    // gone, or not ours
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // entries start after a NUL
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (i + needle.length == haystack.length || haystack[i + needle.length] == 0) {
                return true;
            }
        }
        return false;
    }
}
