package io.jcluster.primary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A static class data archive made from a worker's class list, for workers that run a java agent (an unmodified
 * application): HotSpot will not dump an archive from a JVM with an agent, but a worker can list the classes it
 * loaded ({@code -XX:DumpLoadedClassList}), and a separate short JVM, without the agent and without running the
 * application, dumps them ({@code java -Xshare:dump -XX:SharedClassListFile=LIST -XX:SharedArchiveFile=A -cp CP}).
 * The archive holds the classes of the JDK and of the class path's jars the built-in loaders loaded; classes a
 * loader of the application's own loads (a Spring Boot fat jar's nested jars) are not in it.
 *
 * <p>One dump per instance, on a daemon thread of its own: the supervisor never waits for it. The archive is
 * written to a partial file and moved into place when the dump succeeded, so a failed or killed dump leaves no
 * archive (workers then start without one). The dump JVM is killed if this JVM exits first.
 */
final class StaticArchiveDump {
    /** The longest a dump may take (a Spring Boot app's classes on a loaded host take seconds). */
    static final long TIMEOUT_SECONDS = 300;
    private static final Logger log = LoggerFactory.getLogger(StaticArchiveDump.class);
    /** jcluster's agent's classes, in a class list: on the workers' class path (appended by -javaagent), not the dump's. */
    private static final String AGENT_PACKAGE = "io/jcluster/agent/";

    private StaticArchiveDump() {
    }

    /**
     * The dump's command: the workers' {@code java}, their heap and {@code -XX} flags (an archive is usable only
     * with the same compressed-pointer and object-header settings), and their class path. It dumps with G1 whatever
     * collector the workers use: only a G1 dump archives heap objects (the module graph, interned strings), which a
     * JVM with another collector loads too, as it does the JDK's default archive (dumped with G1).
     */
    static List<String> command(String java, List<String> workerJvmFlags, String classpath, Path classList, Path output) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String f : workerJvmFlags) {
            boolean collector = f.matches("-XX:[+-]Use\\w*GC");
            if ((f.startsWith("-XX:") && !collector && !f.startsWith("-XX:DumpLoadedClassList")
                    && !f.startsWith("-XX:Flight")) || f.startsWith("-Xmx") || f.startsWith("-Xms")
                    || f.equals("--enable-preview")) {
                cmd.add(f);
            }
        }
        cmd.add("-XX:+UseG1GC");
        cmd.add("-Xshare:dump");
        cmd.add("-XX:SharedClassListFile=" + classList);
        cmd.add("-XX:SharedArchiveFile=" + output);
        cmd.add("-cp");
        cmd.add(classpath);
        return cmd;
    }

    /**
     * Starts the dump on a thread of its own: a snapshot of {@code classList} (whole lines: the worker may still be
     * appending), then the dump into {@code partial}, moved to {@code archive} on success. {@code failed} runs when
     * no archive came of it.
     */
    static void start(String java, List<String> workerJvmFlags, String classpath, Path classList, Path partial,
            Path archive, Runnable failed) {
        Thread t = new Thread(() -> {
            if (!run(java, workerJvmFlags, classpath, classList, partial, archive)) {
                failed.run();
            }
        }, "jcluster-cds-dump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean run(String java, List<String> flags, String classpath, Path classList, Path partial,
            Path archive) {
        Path snapshot = classList.resolveSibling("snap-" + classList.getFileName()); // ends in .partial: pruned if left
        Process p = null;
        Thread killer = null;
        try {
            byte[] listed = Files.readAllBytes(classList);
            Files.deleteIfExists(classList); // the worker keeps writing to it, unlinked: nobody reads that any more
            int end = lastNewline(listed);
            if (end <= 0) {
                log.debug("no class data archive for workers: the class list {} is empty", classList);
                return false;
            }
            Files.writeString(snapshot, dumpable(new String(listed, 0, end + 1, StandardCharsets.UTF_8)));
            List<String> cmd = command(java, flags, classpath, snapshot, partial);
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            Process dump = p;
            killer = new Thread(dump::destroyForcibly, "jcluster-cds-dump-kill");
            Runtime.getRuntime().addShutdownHook(killer);
            String output = tail(p.getInputStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                log.debug("class data dump took longer than {} s; killed", TIMEOUT_SECONDS);
                return false;
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(partial) || Files.size(partial) == 0) {
                log.debug("class data dump failed (exit {}): {}\n{}", p.exitValue(), String.join(" ", cmd), output);
                return false;
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.debug("class data archive for workers written: {}", archive);
            return true;
        } catch (IOException | RuntimeException e) {
            log.debug("no class data archive for workers: {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            if (killer != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(killer);
                } catch (IllegalStateException e) {
                    // this JVM is exiting: the hook kills the dump (it has ended already)
                }
            }
            deleteQuietly(snapshot);
            deleteQuietly(partial);
            deleteQuietly(classList);
        }
    }

    /**
     * The lines of a class list that a dump without the agent can load: without the agent's own classes (they are
     * not on the class path: on 25 a line that names one is a "class list format error" that fails the dump) and
     * without classes of other loaders ({@code source:} lines, which refer to each other by id; on 25 the agent's
     * Byte Buddy defines some).
     */
    static String dumpable(String list) {
        StringBuilder out = new StringBuilder(list.length());
        for (String line : list.split("\n")) {
            String name = line.startsWith("@cp ") || line.startsWith("@lambda-proxy ") ? line.substring(line.indexOf(' ') + 1)
                    : line;
            if (name.startsWith(AGENT_PACKAGE) || line.contains(" source: ")) {
                continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The dump's output, read to the end; its last 4 KB are kept for the log. */
    private static String tail(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        byte[] last = new byte[4096];
        int kept = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            if (n >= last.length) {
                System.arraycopy(buf, n - last.length, last, 0, last.length);
                kept = last.length;
            } else {
                int keep = Math.min(kept, last.length - n);
                System.arraycopy(last, kept - keep, last, 0, keep);
                System.arraycopy(buf, 0, last, keep, n);
                kept = keep + n;
            }
        }
        return new String(last, 0, kept, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", p, e.toString());
        }
    }
}
