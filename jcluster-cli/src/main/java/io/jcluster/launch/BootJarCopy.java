package io.jcluster.launch;

import io.jcluster.internal.CacheDir;
import io.jcluster.logs.LogSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The workers of a Spring Boot fat jar run an extracted copy of it ({@code java -Djarmode=tools -jar APP.jar extract}):
 * a fat jar's classes load from its nested jars through Spring Boot's own class loader, which no class data archive
 * can hold; from the copy's plain jars they load through the JDK's, and the workers' archive holds them too (README,
 * "JDK 25": a quarter less CPU to start a worker).
 *
 * <p>The copy is made at start, and again at a {@code reload} when the jar changed (its path, size and modification
 * time are the key), in {@code $XDG_CACHE_HOME/jcluster/extracted} (else {@code ~/.cache/jcluster/extracted}); a
 * later start of the same build reuses it. So every worker of a cluster runs the same build until a reload, even one
 * restarted after the jar was replaced, and replacing the jar in place cannot break a running worker. A primary
 * holds a shared lock on each copy it used ({@code NAME.lock} beside it) while it lives; the cache keeps the
 * {@value #KEEP} most recently used copies and every locked one.
 *
 * <p>Off with {@code JCLUSTER_EXTRACT=off} (the workers run the jar itself; the application may look for files beside
 * its jar) or {@code JCLUSTER_CDS_DIR=off} (no archive: nothing to gain). A jar without Spring Boot's tools jar mode
 * (Spring Boot before 3.3, or built without it) runs as it is, with a hint. A copy that cannot be made is a warning,
 * and the workers run the jar itself.
 */
public final class BootJarCopy {
    public static final String ENV = "JCLUSTER_EXTRACT";
    static final int KEEP = 8;
    private static final String LOADER = "org.springframework.boot.loader.";
    private static final String TOOLS = "BOOT-INF/lib/spring-boot-jarmode-tools";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** How a jar is extracted into a directory that does not exist yet; a test puts a fake in. */
    interface Extractor {
        void extract(Path jar, Path destination) throws IOException;
    }

    private final Path jar;
    private final Path cache;
    private final Extractor extractor;
    /** The copies this process locked: held (never released) while it lives, so no other primary prunes them. */
    private final Map<Path, FileChannel> locks = new HashMap<>();

    BootJarCopy(Path jar, Path cache, Extractor extractor) {
        this.jar = jar.toAbsolutePath().normalize();
        this.cache = cache;
        this.extractor = extractor;
    }

    /**
     * For a Spring Boot fat jar that has the tools jar mode, run as {@code start APP.jar} with class data sharing on
     * and {@value #ENV} not {@code off}; else null.
     */
    static BootJarCopy of(StartSpec spec) {
        if (spec.jar == null || spec.mainClass != null || spec.classpath != null || "off".equals(System.getenv(ENV))
                || "off".equals(System.getenv("JCLUSTER_CDS_DIR")) || !isBootJar(spec.jar) || !hasTools(spec.jar)) {
            return null;
        }
        return new BootJarCopy(spec.jar, CacheDir.of("extracted"), BootJarCopy::runTools);
    }

    /** Whether the jar's Main-Class is Spring Boot's launcher (a fat jar, whose classes are nested jars). */
    static boolean isBootJar(Path jar) {
        try {
            return Application.manifestMain(jar).startsWith(LOADER);
        } catch (RuntimeException e) {
            return false; // no Main-Class: the start reports it
        }
    }

    static boolean hasTools(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.stream().anyMatch(e -> e.getName().startsWith(TOOLS));
        } catch (IOException e) {
            return false; // an unreadable jar: the start reports it
        }
    }

    /**
     * The jar the workers run now: the copy of the jar as it is on disk now, made if there is none (said in
     * {@code log}); the jar itself, with a warning, when none can be made.
     */
    synchronized Path current(LogSink log) {
        try {
            String name = jar.getFileName().toString();
            Path dir = cache.resolve(stem(name) + "-" + key());
            Files.createDirectories(cache);
            lock(dir);
            Path copy = dir.resolve(name);
            if (!Files.isRegularFile(copy)) {
                long t0 = System.nanoTime();
                make(dir);
                log.event(name + " is a Spring Boot fat jar: its workers run an extracted copy, " + dir + ", whose "
                        + "classes a class data archive can hold (made in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms, once per build of the jar; "
                        + ENV + "=off runs the jar itself)");
            } else {
                Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis())); // most recently used
            }
            prune();
            return copy;
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not extract " + jar + " (" + e.getMessage() + "): its workers run the jar itself");
            return jar;
        }
    }

    /** What identifies a build of the jar without reading it: its path, size and modification time. */
    private String key() throws IOException {
        String id = jar + "\n" + Files.size(jar) + "\n" + Files.getLastModifiedTime(jar).toMillis();
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** Extracts beside the final directory, then renames: a copy is whole or absent, also to another primary. */
    private void make(Path dir) throws IOException {
        Path tmp = cache.resolve("." + dir.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Path name = jar.getFileName();
        deleteTree(tmp);
        try {
            extractor.extract(jar, tmp);
            if (!Files.isRegularFile(tmp.resolve(name))) {
                throw new IOException("the extracted layout has no " + name);
            }
            if (Files.isRegularFile(dir.resolve(name))) {
                return; // another primary made the same copy meanwhile: use it
            }
            deleteTree(dir); // a leftover without its jar
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw e;
            } // else another primary's rename came first: its copy is the same build
        } finally {
            deleteTree(tmp);
        }
    }

    /** A shared lock on the copy's lock file, taken before the copy is looked at and held while this process lives. */
    private void lock(Path dir) throws IOException {
        Path file = lockFile(dir);
        if (locks.containsKey(file)) {
            return;
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ch.lock(0, Long.MAX_VALUE, true);
        } catch (OverlappingFileLockException e) {
            ch.close(); // another copier in this process holds it: locked for this process already
            return;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        locks.put(file, ch);
    }

    /** Releases the locks this copier took, as its process's exit does (a closed or collected channel's lock goes). */
    synchronized void release() throws IOException {
        for (FileChannel ch : locks.values()) {
            ch.close();
        }
        locks.clear();
    }

    /** Deletes the copies beyond the {@value #KEEP} most recently used that no primary holds. */
    private void prune() throws IOException {
        List<Path> copies;
        try (Stream<Path> s = Files.list(cache)) {
            copies = new ArrayList<>(s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList());
        }
        copies.sort(Comparator.comparing(BootJarCopy::modified).reversed());
        for (Path old : copies.subList(Math.min(KEEP, copies.size()), copies.size())) {
            Path file = lockFile(old);
            if (locks.containsKey(file)) {
                continue;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                if (l == null) {
                    continue; // a running primary's workers use it
                }
                deleteTree(old);
                Files.deleteIfExists(file);
            } catch (OverlappingFileLockException e) {
                // locked by this process through another channel: in use
            }
        }
    }

    private Path lockFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".lock");
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static String stem(String name) {
        return name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** {@code java -Djarmode=tools -jar JAR extract --destination DIR}, with the JVM that runs jcluster. */
    private static void runTools(Path jar, Path destination) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path out = Files.createTempFile("jcluster-extract", ".log");
        try {
            Process p = new ProcessBuilder(java, "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
                    destination.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            boolean done;
            try {
                done = p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException("java -Djarmode=tools … extract did not finish in " + TIMEOUT.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(out);
                throw new IOException("java -Djarmode=tools … extract exited " + p.exitValue() + ": "
                        + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
