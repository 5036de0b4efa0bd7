package io.jcluster.primary;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The second step of a worker's AOT cache (JDK 25+, {@link ClassDataSharing}): after the training worker has
 * exited with its recorded configuration, one JVM runs {@code -XX:AOTMode=create} with the workers' JVM flags and
 * classpath (no main: it only assembles) and writes the cache to a partial file; a shell moves it into place
 * atomically and removes the configuration. It runs in the background, off the supervisor, silently (its output is
 * the JVM's own progress lines), and finishes even when the primary ends first: no worker waits for it, and a
 * worker that starts meanwhile runs without a cache. A failed assembly leaves no cache: the next training tries again.
 * (JDK 25's one-step {@code -XX:AOTCacheOutput} would do the same inside the worker's exit, printing six lines and
 * holding the worker past its stop deadline while the cache is assembled.)
 */
final class AotAssembly {
    private static final Logger log = LoggerFactory.getLogger(AotAssembly.class);

    private final List<String> command;
    private final Path config;
    private final Path cache;
    private final Path partial;
    private Process process;

    /**
     * @param workerCommand the workers' command without program arguments: java, JVM flags, then {@code -jar JAR}
     *                      or {@code -cp CP MAIN}
     * @param classpath     its classpath entries (the jar alone for {@code -jar})
     */
    AotAssembly(List<String> workerCommand, List<String> classpath, Path config, Path cache, Path partial) {
        this.config = config;
        this.cache = cache;
        this.partial = partial;
        List<String> c = new ArrayList<>();
        for (String arg : workerCommand) {
            if (arg.equals("-jar") || arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path")) {
                break;
            }
            c.add(arg);
        }
        c.addAll(List.of("-Xlog:cds*=off", "-Xlog:aot*=off", "-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
                "-XX:AOTCache=" + partial, "-cp", String.join(File.pathSeparator, classpath)));
        this.command = List.copyOf(c);
    }

    /** The assembly JVM's command line (for tests). */
    List<String> command() {
        return command;
    }

    /** Whether an assembly started by this primary is still running. */
    boolean running() {
        return process != null && process.isAlive();
    }

    /** Assembles the cache from the recorded configuration, if the training worker wrote one. Supervisor thread. */
    void start() {
        try {
            if (!Files.isRegularFile(config) || Files.size(config) == 0) {
                Files.deleteIfExists(config);
                log.debug("the training worker recorded no AOT configuration; no cache this time");
                return;
            }
        } catch (IOException e) {
            log.debug("could not read the AOT configuration {}: {}", config, e.toString());
            return;
        }
        List<String> sh = new ArrayList<>(List.of("/bin/sh", "-c",
                "\"$@\" && test -s \"$JCLUSTER_AOT_PARTIAL\" && mv -f \"$JCLUSTER_AOT_PARTIAL\" \"$JCLUSTER_AOT_CACHE\";"
                        + " rm -f \"$JCLUSTER_AOT_PARTIAL\" \"$JCLUSTER_AOT_CONFIG\"",
                "jcluster-aot-assembly"));
        sh.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(sh).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("JCLUSTER_AOT_PARTIAL", partial.toString());
        pb.environment().put("JCLUSTER_AOT_CACHE", cache.toString());
        pb.environment().put("JCLUSTER_AOT_CONFIG", config.toString());
        try {
            process = pb.start();
            log.debug("assembling the workers' AOT cache {} (pid {})", cache, process.pid());
        } catch (IOException e) {
            log.debug("could not assemble the AOT cache: {}", e.toString());
            try {
                Files.deleteIfExists(config);
            } catch (IOException again) {
                log.debug("could not remove {}: {}", config, again.toString());
            }
        }
    }
}
