package io.jcluster.primary;

import io.jcluster.internal.CacheDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AppCDS for workers: a worker JVM maps its classes from an archive instead of loading them, which roughly
 * halves its start. The archive is made by the first worker of a cluster whose command has none yet, when that
 * worker exits gracefully (JDK 17's {@code -XX:ArchiveClassesAtExit}), and used by every later worker with the
 * same JVM, JVM flags, main class and classpath files (not program arguments) (sizes and times are part of the key, so a new build of the
 * application makes a new archive). A missing or unusable archive only costs speed: the JVM then starts as usual.
 *
 * <p>Workers that run a java agent (jcluster's, for an unmodified application) cannot write that archive: HotSpot
 * refuses a dynamic dump with an agent ("Must enable AllowArchivingWithJavaAgent", and the worker exits 1). Their
 * first worker lists the classes it loads instead ({@code -XX:DumpLoadedClassList}); once it listens, a separate
 * JVM without the agent dumps a static archive of them ({@link StaticArchiveDump}), which later workers map like
 * the other kind. (25's AOT cache accepts an agent in its training run, but gave such workers no more than this:
 * README, "JDK 25".)
 *
 * <p>JDK 17 archives only classes from jar files: a classpath with a directory (also one named by a jar's
 * manifest {@code Class-Path}) gets no archive.
 *
 * <p>Archives live in {@value #ENV_DIR} (default {@code ~/.cache/jcluster/cds}); {@code off} disables this.
 * Every new build makes a new archive, so the directory keeps only the {@value #KEEP} most recently used
 * (an archive is touched when used), and drops partial archives left by workers that died while writing.
 * Supervisor thread only.
 */
final class ClassDataSharing {
    static final String ENV_DIR = "JCLUSTER_CDS_DIR";
    /** Set in the environment of the worker that writes the archive: it needs longer to exit. */
    static final String ENV_DUMPING = io.jcluster.internal.Exit.ENV_CDS_DUMP;
    static final int KEEP = 16;
    private static final long PARTIAL_MAX_AGE_MILLIS = 3_600_000;
    private static final Logger log = LoggerFactory.getLogger(ClassDataSharing.class);

    private final Path archive;
    private final Path partial;
    /** For workers with a java agent: how they are launched, and where the dumper lists its classes. */
    private final Launch launch;
    private final Path classList;
    private int dumper = -1;
    private boolean dumpStarted;
    /** Set by the dump's thread when it made no archive: this primary stops trying. */
    private volatile boolean failed;

    private ClassDataSharing(Path archive, Path partial, Launch launch, Path classList) {
        this.archive = archive;
        this.partial = partial;
        this.launch = launch;
        this.classList = classList;
    }

    /**
     * A worker command's {@code java}, its JVM flags and its class path ({@code -jar JAR} or {@code -cp CP MAIN}),
     * as the static dump needs them; the command is the one without program arguments.
     */
    record Launch(String java, List<String> jvmFlags, String classpath) {
        static Launch of(List<String> command) {
            int n = command.size();
            if (n >= 3 && command.get(n - 2).equals("-jar")) {
                return new Launch(command.get(0), command.subList(1, n - 2), command.get(n - 1));
            }
            if (n >= 4 && command.get(n - 3).equals("-cp") && !command.get(n - 2).isEmpty()) {
                return new Launch(command.get(0), command.subList(1, n - 3), command.get(n - 2));
            }
            return null; // no class path of its own: nothing to archive beyond the JDK's default archive
        }
    }

    /** Null when disabled, when the user chose CDS flags of their own, or when there is no cache directory. */
    static ClassDataSharing forCommand(List<String> command, List<String> classpath) {
        return forCommand(command, classpath, System.getenv(ENV_DIR));
    }

    /** {@code setting}: {@value #ENV_DIR}'s value (null: the default directory). */
    static ClassDataSharing forCommand(List<String> command, List<String> classpath, String setting) {
        if ("off".equals(setting)) {
            return null;
        }
        for (String arg : command) {
            if (arg.startsWith("-XX:SharedArchiveFile") || arg.startsWith("-XX:ArchiveClassesAtExit")
                    || arg.equals("-Xshare:off") || arg.startsWith("-XX:SharedClassListFile")
                    // JDK 24+'s AOT cache, chosen by the user
                    || arg.startsWith("-XX:AOTCache") || arg.startsWith("-XX:AOTMode")
                    || arg.startsWith("-XX:AOTConfiguration") || arg.startsWith("-XX:DumpLoadedClassList")) {
                return null;
            }
        }
        if (!jarsOnly(classpath)) {
            return null;
        }
        // A java agent (jcluster's, for an unmodified application): no dynamic dump (F1), a static one instead.
        boolean agent = command.stream().anyMatch(a -> a.startsWith("-javaagent:") || a.startsWith("-agentpath:")
                || a.startsWith("-agentlib:"));
        Launch launch = agent ? Launch.of(command) : null;
        if (agent && launch == null) {
            return null;
        }
        Path dir = setting != null && !setting.isBlank() ? Path.of(setting)
                : CacheDir.of("cds");
        try {
            Files.createDirectories(dir);
            prune(dir);
            String key = key(command, classpath);
            String partial = key + "." + ProcessHandle.current().pid();
            return new ClassDataSharing(dir.resolve(key + ".jsa"), dir.resolve(partial + ".partial"), launch,
                    launch == null ? null : dir.resolve(partial + ".classlist.partial"));
        } catch (IOException | RuntimeException e) {
            log.debug("no class data sharing for workers: {}", e.toString());
            return null;
        }
    }

    /** Keeps the {@value #KEEP} most recently used archives; removes partial ones older than an hour. */
    static void prune(Path dir) {
        long now = System.currentTimeMillis();
        java.util.List<Path> archives = new java.util.ArrayList<>();
        try (var files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                long modified = Files.getLastModifiedTime(f).toMillis();
                if (name.endsWith(".partial") && now - modified > PARTIAL_MAX_AGE_MILLIS) {
                    Files.deleteIfExists(f);
                } else if (name.endsWith(".jsa") && !name.startsWith("cli-")) {
                    archives.add(f);
                }
            }
            if (archives.size() > KEEP) {
                archives.sort(java.util.Comparator.comparingLong(ClassDataSharing::modified).reversed());
                for (Path old : archives.subList(KEEP, archives.size())) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException e) {
            log.debug("could not prune {}: {}", dir, e.toString());
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** True when every classpath entry, and every entry of a jar's manifest Class-Path, is a file. */
    static boolean jarsOnly(List<String> classpath) {
        for (String entry : classpath) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                return false;
            }
            try {
                if (manifestClassPath(p).stream().anyMatch(Files::isDirectory)) {
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /** The files a jar's manifest {@code Class-Path} names (none for a path that is no file). */
    private static List<Path> manifestClassPath(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return List.of();
        }
        List<Path> refs = new java.util.ArrayList<>();
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
            java.util.jar.Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
            if (cp != null) {
                for (String ref : cp.trim().split("\\s+")) {
                    java.net.URI uri = p.toAbsolutePath().getParent().toUri().resolve(ref);
                    if ("file".equals(uri.getScheme())) {
                        refs.add(Path.of(uri));
                    }
                }
            }
        }
        return refs;
    }

    private static String key(List<String> command, List<String> classpath) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update((System.getProperty("java.home") + "\0" + System.getProperty("java.vm.version") + "\0")
                .getBytes(StandardCharsets.UTF_8));
        for (String arg : command) {
            sha.update((arg + "\0").getBytes(StandardCharsets.UTF_8));
        }
        for (String entry : classpath) {
            // A jar's manifest Class-Path too (an extracted Spring Boot app's lib/): an archive whose jars changed
            // is refused by the JVM, which then maps no archive at all, not even the JDK's.
            List<Path> files = new java.util.ArrayList<>(List.of(Path.of(entry)));
            files.addAll(manifestClassPath(Path.of(entry)));
            for (Path p : files) {
                if (Files.exists(p)) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    sha.update((p.toAbsolutePath() + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis() + "\0")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 12);
    }

    Path archive() {
        return archive;
    }

    /** The flags for worker {@code id}; the first worker without an archive is asked to write one. */
    List<String> flags(int id) {
        if (Files.isReadable(archive)) {
            try {
                Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                log.debug("could not touch {}: {}", archive, e.toString()); // only the pruning order suffers
            }
            return List.of("-Xlog:cds*=off", "-XX:SharedArchiveFile=" + archive);
        }
        if (dumper < 0 && !failed) {
            dumper = id;
            return launch != null ? List.of("-Xlog:cds*=off", "-XX:DumpLoadedClassList=" + classList)
                    : List.of("-Xlog:cds*=off", "-XX:ArchiveClassesAtExit=" + partial);
        }
        return List.of();
    }

    /** Whether worker {@code id} writes the archive at its exit (it needs longer to exit). */
    boolean dumping(int id) {
        return dumper == id && launch == null;
    }

    /** Worker {@code id} listens: if it lists its classes for a static archive, the dump starts now. */
    void listening(int id) {
        if (launch == null || dumper != id || dumpStarted) {
            return;
        }
        dumpStarted = true;
        StaticArchiveDump.start(launch.java(), launch.jvmFlags(), launch.classpath(), classList, partial, archive,
                () -> failed = true);
    }

    /** A worker exited: if it was writing the archive and finished, publish it (atomically). */
    void exited(int id) {
        if (dumper != id) {
            return;
        }
        if (launch != null) {
            if (!dumpStarted) { // it never listened: the next worker lists its classes
                dumper = -1;
                try {
                    Files.deleteIfExists(classList);
                } catch (IOException e) {
                    log.debug("could not delete {}: {}", classList, e.toString());
                }
            }
            return;
        }
        dumper = -1;
        try {
            if (Files.isRegularFile(partial) && Files.size(partial) > 0) {
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log.debug("class data archive for workers written: {}", archive);
            } else {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            log.debug("could not keep the class data archive: {}", e.toString());
        }
    }
}
