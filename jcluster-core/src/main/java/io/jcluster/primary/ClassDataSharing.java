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
 * <p>JDK 17 archives only classes from jar files: a classpath with a directory (also one named by a jar's
 * manifest {@code Class-Path}) gets no archive.
 *
 * <p>A worker with a java agent (jcluster's, for an unmodified application) cannot write that archive: HotSpot
 * refuses to dump one with an agent, on 25 too. From JDK 25 such workers get an AOT cache instead (JEP 483/514),
 * whose training run accepts agents (JDK-8356693; the classes an agent changes stay out of the cache): the first
 * worker records ({@code -XX:AOTMode=record}), and when it has exited the primary assembles the cache
 * ({@code -XX:AOTMode=create}, a JVM of its own, in the background: {@link AotAssembly}).
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

    /** JDK 25+: an AOT cache can be trained with a java agent present (JDK-8356693). */
    static final boolean AOT_WITH_AGENTS = Runtime.version().feature() >= 25;

    private final Path archive;
    private final Path partial;
    /** Null for AppCDS; the AOT cache's assembly for a worker command with a java agent (JDK 25+). */
    private final AotAssembly aot;
    private int dumper = -1;

    private ClassDataSharing(Path archive, Path partial, AotAssembly aot) {
        this.archive = archive;
        this.partial = partial;
        this.aot = aot;
    }

    /** Null when disabled, when the user chose CDS flags of their own, or when there is no cache directory. */
    static ClassDataSharing forCommand(List<String> command, List<String> classpath) {
        String setting = System.getenv(ENV_DIR);
        if ("off".equals(setting)) {
            return null;
        }
        boolean agent = false;
        for (String arg : command) {
            if (arg.startsWith("-XX:SharedArchiveFile") || arg.startsWith("-XX:ArchiveClassesAtExit")
                    || arg.equals("-Xshare:off") || arg.startsWith("-XX:SharedClassListFile")
                    || arg.startsWith("-XX:AOTCache") || arg.startsWith("-XX:AOTMode")
                    || arg.startsWith("-XX:AOTConfiguration")) {
                return null;
            }
            // HotSpot will not dump a dynamic archive with a java agent (jcluster's, for an unmodified
            // application): "Must enable AllowArchivingWithJavaAgent", and the worker exits 1. 25's AOT cache can.
            agent |= arg.startsWith("-javaagent:");
        }
        if (agent && !AOT_WITH_AGENTS) {
            return null;
        }
        if (!jarsOnly(classpath)) {
            return null;
        }
        Path dir = setting != null && !setting.isBlank() ? Path.of(setting)
                : CacheDir.of("cds");
        try {
            Files.createDirectories(dir);
            prune(dir);
            String key = key(command, classpath);
            long pid = ProcessHandle.current().pid();
            if (agent) {
                Path cache = dir.resolve(key + ".aot");
                Path config = dir.resolve(key + "." + pid + ".aotconf.partial");
                return new ClassDataSharing(cache, config, new AotAssembly(command, classpath, config, cache,
                        dir.resolve(key + "." + pid + ".aot.partial")));
            }
            return new ClassDataSharing(dir.resolve(key + ".jsa"), dir.resolve(key + "." + pid + ".partial"), null);
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
                } else if ((name.endsWith(".jsa") || name.endsWith(".aot")) && !name.startsWith("cli-")) {
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
            if (!Files.isRegularFile(p)) {
                continue;
            }
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
                java.util.jar.Manifest m = jar.getManifest();
                String cp = m == null ? null : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
                if (cp != null) {
                    for (String ref : cp.trim().split("\\s+")) {
                        java.net.URI uri = p.toAbsolutePath().getParent().toUri().resolve(ref);
                        if ("file".equals(uri.getScheme()) && Files.isDirectory(Path.of(uri))) {
                            return false;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return true;
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
            Path p = Path.of(entry);
            if (Files.exists(p)) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                sha.update((p.toAbsolutePath() + "\0" + a.size() + "\0" + a.lastModifiedTime().toMillis() + "\0")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 12);
    }

    /** The flags for worker {@code id}; the first worker without an archive is asked to write one. */
    List<String> flags(int id) {
        if (Files.isReadable(archive)) {
            try {
                Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (IOException e) {
                log.debug("could not touch {}: {}", archive, e.toString()); // only the pruning order suffers
            }
            return aot != null ? List.of("-Xlog:cds*=off", "-Xlog:aot*=off", "-XX:AOTCache=" + archive)
                    : List.of("-Xlog:cds*=off", "-XX:SharedArchiveFile=" + archive);
        }
        if (dumper < 0 && (aot == null || !aot.running())) {
            dumper = id;
            return aot != null
                    ? List.of("-Xlog:cds*=off", "-Xlog:aot*=off", "-XX:AOTMode=record", "-XX:AOTConfiguration=" + partial)
                    : List.of("-Xlog:cds*=off", "-XX:ArchiveClassesAtExit=" + partial);
        }
        return List.of();
    }

    boolean dumping(int id) {
        return dumper == id;
    }

    /** A worker exited: if it was writing the archive and finished, publish it (atomically). */
    void exited(int id) {
        if (dumper != id) {
            return;
        }
        dumper = -1;
        if (aot != null) {
            aot.start(); // the recorded configuration -> the cache, in a JVM of its own
            return;
        }
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
