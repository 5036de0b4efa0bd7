package io.jcluster.launch;

import io.jcluster.internal.CacheDir;
import io.jcluster.logs.LogSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The workers of a Spring Boot fat jar run an extracted copy of it ({@code java -Djarmode=tools -jar APP.jar extract}):
 * a fat jar's classes load from its nested jars through Spring Boot's own class loader, which no class data archive
 * can hold; from the copy's plain jars they load through the JDK's, and the workers' archive holds them too (README,
 * "JDK 25": a quarter less CPU to start a worker).
 *
 * <p>The copy is made at start, and again at a {@code reload} or {@code restart} when the jar changed (its content's
 * SHA-256 is the key), in {@code $XDG_CACHE_HOME/jcluster/extracted} (else {@code ~/.cache/jcluster/extracted}); a
 * later start of the same build reuses it. So every worker of a cluster runs the same build until a reload, even one
 * the restart policy started after the jar was replaced, and replacing the jar in place cannot break a running
 * worker. A primary holds a shared lock on the copy its workers run ({@code NAME.lock} beside it; one channel per
 * file in this JVM, since closing another would drop the process's lock); the cache keeps the {@value #KEEP} most
 * recently used copies and every locked one. A pruned copy is renamed away before it is deleted, so a copy is whole
 * or absent; lock files stay (an empty file per build).
 *
 * <p>Off with {@code JCLUSTER_EXTRACT=off} (the workers run the jar itself; the application may look for files beside
 * its jar), {@code JCLUSTER_CDS_DIR=off} (no archive: nothing to gain), or class data flags of the user's own
 * ({@code -XX:SharedArchiveFile}, {@code -XX:AOTCache}, …, which name the jar itself). A jar without Spring Boot's tools jar mode
 * (Spring Boot before 3.3, or built without it) runs as it is, with a hint. A copy that cannot be made is a warning,
 * and the workers run the jar itself.
 */
public final class BootJarCopy {
    public static final String ENV = "JCLUSTER_EXTRACT";
    static final int KEEP = 8;
    private static final String LOADER = "org.springframework.boot.loader.";
    private static final String TOOLS = "BOOT-INF/lib/spring-boot-jarmode-tools";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    /** A leftover of a primary that died while extracting or pruning is deleted after this long. */
    private static final long LEFTOVER_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** A lock file whose copy is gone is deleted after this long unused. */
    private static final long ORPHAN_LOCK_MILLIS = TimeUnit.DAYS.toMillis(30);
    /** The user's own class data flags: their archive names the jar itself, not a copy. */
    private static final List<String> OWN_CDS = List.of("-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit",
            "-XX:SharedClassListFile", "-XX:DumpLoadedClassList", "-XX:AOTCache", "-XX:AOTMode", "-XX:AOTConfiguration",
            "-Xshare:off");
    /** The lock files this JVM holds, each through its one channel (guarded by the class). */
    private static final Map<Path, FileChannel> LOCKS = new HashMap<>();

    /** How a jar is extracted into a directory that does not exist yet; a test puts a fake in. */
    interface Extractor {
        void extract(Path jar, Path destination) throws IOException;
    }

    private final Path jar;
    private final Path cache;
    private final Extractor extractor;
    /** The lock files this copier took. */
    private final Set<Path> mine = new HashSet<>();

    BootJarCopy(Path jar, Path cache, Extractor extractor) {
        this.jar = jar.toAbsolutePath().normalize();
        this.cache = cache;
        this.extractor = extractor;
    }

    /**
     * For a Spring Boot fat jar that has the tools jar mode, run as {@code start APP.jar} with class data sharing on,
     * no class data flags of the user's own and {@value #ENV} not {@code off}; else null.
     */
    static BootJarCopy of(StartSpec spec) {
        if (spec.jar == null || spec.mainClass != null || spec.classpath != null || "off".equals(System.getenv(ENV))
                || "off".equals(System.getenv("JCLUSTER_CDS_DIR")) || ownClassData(spec.jvmArgs)
                || ownClassData(List.of(String.valueOf(System.getenv("JCLUSTER_WORKER_JAVA_OPTS")).split("\\s+")))
                || !isBootJar(spec.jar) || !hasTools(spec.jar)) {
            return null;
        }
        return new BootJarCopy(spec.jar, CacheDir.of("extracted"), BootJarCopy::runTools);
    }

    static boolean ownClassData(List<String> jvmArgs) {
        return jvmArgs.stream().anyMatch(a -> OWN_CDS.stream().anyMatch(a::startsWith));
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
        String name = jar.getFileName().toString();
        Path dir;
        Path copy;
        try {
            dir = cache.resolve(stem(name) + "-" + key());
            copy = dir.resolve(name);
            Files.createDirectories(cache);
            lock(dir);
            if (!Files.isRegularFile(copy)) {
                long t0 = System.nanoTime();
                make(dir);
                log.event(name + " is a Spring Boot fat jar: its workers run an extracted copy, " + dir + ", whose "
                        + "classes a class data archive can hold (made in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms, once per build of the jar; "
                        + ENV + "=off runs the jar itself)");
            } else {
                log.event(name + " is a Spring Boot fat jar: its workers run its extracted copy " + dir
                        + " (made before for this build; " + ENV + "=off runs the jar itself)");
            }
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not extract " + jar + " (" + e.getMessage() + "): its workers run the jar itself");
            return jar;
        }
        try {
            Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis())); // most recently used
            prune();
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not tidy the extracted copies in " + cache + ": " + e.getMessage());
        }
        return copy;
    }

    /** The SHA-256 of the jar's content (a new build at the same size and time, as Jib makes them, is new). */
    private String key() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        try (InputStream in = Files.newInputStream(jar)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 8);
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

    /** A shared lock on the copy's lock file, taken before the copy is looked at and held until released. */
    private void lock(Path dir) throws IOException {
        Path file = lockFile(dir);
        synchronized (BootJarCopy.class) {
            if (!LOCKS.containsKey(file)) {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                try {
                    ch.lock(0, Long.MAX_VALUE, true);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                LOCKS.put(file, ch);
            }
        }
        mine.add(file);
    }

    /** Releases the locks this copier took on copies other than {@code keep}'s: no worker runs them any more. */
    synchronized void releaseAllBut(Path keep) {
        Path keepLock = keep.getParent() == null ? null : lockFile(keep.getParent());
        for (java.util.Iterator<Path> it = mine.iterator(); it.hasNext(); ) {
            Path file = it.next();
            if (!file.equals(keepLock)) {
                it.remove();
                unlock(file);
            }
        }
    }

    /** Releases every lock this copier took, as its process's exit does. */
    synchronized void release() {
        mine.forEach(BootJarCopy::unlock);
        mine.clear();
    }

    /** Whether this JVM holds the lock on {@code lockFile}. */
    static boolean held(Path lockFile) {
        synchronized (BootJarCopy.class) {
            return LOCKS.containsKey(lockFile);
        }
    }

    private static void unlock(Path file) {
        FileChannel ch;
        synchronized (BootJarCopy.class) {
            ch = LOCKS.remove(file);
        }
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a close of a lock file's channel: not expected to fail
            }
        }
    }

    /**
     * Deletes the copies beyond the {@value #KEEP} most recently used that no primary holds, and leftovers of
     * primaries that died while extracting or pruning.
     */
    private void prune() throws IOException {
        List<Path> copies = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        List<Path> lockFiles = new ArrayList<>();
        try (Stream<Path> s = Files.list(cache)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".")) {
                    leftovers.add(p);
                } else if (n.endsWith(".lock")) {
                    lockFiles.add(p);
                } else if (Files.isDirectory(p)) {
                    copies.add(p);
                }
            }
        }
        long now = System.currentTimeMillis();
        for (Path p : leftovers) {
            if (now - modified(p).toMillis() > LEFTOVER_MILLIS) {
                deleteTree(p);
            }
        }
        copies.sort(Comparator.comparing(BootJarCopy::modified).reversed());
        for (Path old : copies.subList(Math.min(KEEP, copies.size()), copies.size())) {
            Path file = lockFile(old);
            Path gone = cache.resolve("." + old.getFileName() + "." + ProcessHandle.current().pid() + ".gone");
            synchronized (BootJarCopy.class) {
                if (LOCKS.containsKey(file)) {
                    continue; // this process's workers run it
                }
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    if (ch.tryLock() == null) {
                        continue; // another primary's workers run it
                    }
                    // Renamed away first, so no one finds a copy half deleted; the lock file stays, so a primary
                    // waiting for it never holds a lock on a deleted file.
                    Files.move(old, gone, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            deleteTree(gone);
        }
        for (Path file : lockFiles) {
            String n = file.getFileName().toString();
            if (!Files.exists(file.resolveSibling(n.substring(0, n.length() - 5)))
                    && now - modified(file).toMillis() > ORPHAN_LOCK_MILLIS) {
                synchronized (BootJarCopy.class) {
                    if (!LOCKS.containsKey(file)) {
                        Files.deleteIfExists(file);
                    }
                }
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
        Process p = null;
        try {
            p = new ProcessBuilder(java, "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination",
                    destination.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("java -Djarmode=tools … extract did not finish in " + TIMEOUT.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String[] lines = new String(Files.readAllBytes(out), StandardCharsets.UTF_8).strip().split("\n");
                throw new IOException("java -Djarmode=tools … extract exited " + p.exitValue() + ": "
                        + String.join(" / ", Arrays.asList(lines).subList(Math.max(0, lines.length - 3), lines.length)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the extraction was interrupted (the primary is stopping)", e);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(out);
        }
    }
}
