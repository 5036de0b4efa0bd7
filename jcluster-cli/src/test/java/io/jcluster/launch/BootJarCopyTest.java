package io.jcluster.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.jcluster.logs.LogSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spring Boot fat jar's workers run an extracted copy, made once per build of the jar; a jar without Spring Boot's
 * tools jar mode gets the one-line hint instead; other jars get neither.
 */
class BootJarCopyTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private LogSink log;
    /** The jars the fake extractor was asked to extract, in order. */
    private final List<Path> extracted = new ArrayList<>();

    @BeforeEach
    void openLog() {
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        log = new LogSink(dir.resolve("logs"), "svc", 0, 2, false, out, out);
    }

    @AfterEach
    void closeLog() {
        log.close();
    }

    private Path jar(String name, String main, String... entries) throws Exception {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main);
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m)) {
            for (String e : entries) {
                out.putNextEntry(new JarEntry(e));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** What Spring Boot's extract makes: DEST/APP.jar and DEST/lib/. */
    private void fakeExtract(Path jar, Path destination) throws IOException {
        extracted.add(jar);
        Files.createDirectories(destination.resolve("lib"));
        Files.copy(jar, destination.resolve(jar.getFileName()));
    }

    private BootJarCopy copier(Path jar) {
        return new BootJarCopy(jar, dir.resolve("cache"), this::fakeExtract);
    }

    @Test
    void onlyASpringBootFatJarWithTheToolsJarModeIsCopied() throws Exception {
        Assumptions.assumeFalse("off".equals(System.getenv("JCLUSTER_CDS_DIR")) || "off".equals(System.getenv("JCLUSTER_EXTRACT")));
        StartSpec tools = new StartSpec();
        tools.jar = jar("svc.jar", "org.springframework.boot.loader.launch.JarLauncher",
                "BOOT-INF/lib/spring-boot-jarmode-tools-4.0.7.jar");
        assertThat(BootJarCopy.of(tools)).isNotNull();
        assertThat(UnmodifiedApp.classDataHint(tools)).isNotNull(); // PrimaryRunner prints it only without a copy

        StartSpec old = new StartSpec();
        old.jar = jar("old.jar", "org.springframework.boot.loader.JarLauncher");
        assertThat(BootJarCopy.of(old)).isNull();
        assertThat(UnmodifiedApp.classDataHint(old)).isEqualTo("old.jar is a Spring Boot fat jar: its classes load "
                + "from nested jars, which class data archives cannot hold; its workers start faster extracted (jcluster "
                + "extracts a jar built by Spring Boot 3.3 or later with its tools jar mode; this one has none): unpack "
                + "it as its Spring Boot version documents and start the unpacked application with jcluster");

        StartSpec own = new StartSpec(); // class data flags of the user's own name the jar itself: left alone
        own.jar = tools.jar;
        own.jvmArgs = List.of("-Xmx256m", "-XX:SharedArchiveFile=/tmp/svc.jsa");
        assertThat(BootJarCopy.of(own)).isNull();
        own.jvmArgs = List.of("-XX:AOTCache=/tmp/svc.aot");
        assertThat(BootJarCopy.of(own)).isNull();

        StartSpec plain = new StartSpec();
        plain.jar = jar("plain.jar", "com.example.SvcApplication", "BOOT-INF/lib/spring-boot-jarmode-tools-4.0.7.jar");
        assertThat(BootJarCopy.of(plain)).isNull();
        assertThat(UnmodifiedApp.classDataHint(plain)).isNull();
        StartSpec byClass = new StartSpec();
        byClass.mainClass = "com.example.SvcApplication";
        byClass.classpath = tools.jar.toString();
        assertThat(BootJarCopy.of(byClass)).isNull();
        assertThat(UnmodifiedApp.classDataHint(byClass)).isNull();
    }

    @Test
    void oneCopyPerBuildOfTheJarReusedByALaterStartAndRemadeWhenTheJarChanges() throws Exception {
        Path jar = jar("svc.jar", "org.springframework.boot.loader.launch.JarLauncher");
        Path first = copier(jar).current(log);
        assertThat(first.getFileName().toString()).isEqualTo("svc.jar");
        assertThat(first.getParent().getParent()).isEqualTo(dir.resolve("cache"));
        assertThat(first).isRegularFile().hasSameBinaryContentAs(jar);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("svc.jar is a Spring Boot fat jar: its workers run"
                + " an extracted copy, " + first.getParent());

        assertThat(copier(jar).current(log)).isEqualTo(first); // a later start: no new extraction
        assertThat(extracted).hasSize(1);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("svc.jar is a Spring Boot fat jar: its workers run"
                + " its extracted copy " + first.getParent() + " (made before for this build");

        // A new build in place, at the same modification time (as Jib makes them): its own copy, by its content; the
        // old one stays for the workers that run it.
        FileTime time = Files.getLastModifiedTime(jar);
        jar(jar.getFileName().toString(), "org.springframework.boot.loader.launch.JarLauncher", "BOOT-INF/classes/New.class");
        Files.setLastModifiedTime(jar, time);
        Path second = copier(jar).current(log);
        assertThat(second).isNotEqualTo(first).hasSameBinaryContentAs(jar);
        assertThat(first).isRegularFile();
        assertThat(extracted).hasSize(2);
        try (var s = Files.list(dir.resolve("cache"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void afterAReloadOnlyTheCopyInServiceStaysLocked() throws Exception {
        Path jar = jar("svc.jar", "org.springframework.boot.loader.launch.JarLauncher");
        BootJarCopy copier = copier(jar);
        Path old = copier.current(log);
        jar(jar.getFileName().toString(), "org.springframework.boot.loader.launch.JarLauncher", "BOOT-INF/classes/New.class");
        Path now = copier.current(log);
        copier.releaseAllBut(now);
        // Another primary (here: another copier in this JVM) may now prune the old copy, not the new one.
        try (var ch = java.nio.channels.FileChannel.open(old.getParent().resolveSibling(old.getParent().getFileName()
                + ".lock"), java.nio.file.StandardOpenOption.WRITE)) {
            var lock = ch.tryLock();
            assertThat(lock).as("the old copy's lock is free").isNotNull();
            lock.release();
        }
        assertThat(BootJarCopy.held(now.getParent().resolveSibling(now.getParent().getFileName() + ".lock"))).isTrue();
        copier.release();
    }

    @Test
    void aCopyThatCannotBeMadeIsAWarningAndTheWorkersRunTheJarItself() throws Exception {
        Path jar = jar("svc.jar", "org.springframework.boot.loader.launch.JarLauncher");
        BootJarCopy failing = new BootJarCopy(jar, dir.resolve("cache"), (j, d) -> {
            throw new IOException("java -Djarmode=tools … extract exited 1: no such jar mode");
        });
        assertThat(failing.current(log)).isEqualTo(jar.toAbsolutePath().normalize());
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("could not extract " + jar.toAbsolutePath()
                + " (java -Djarmode=tools … extract exited 1: no such jar mode): its workers run the jar itself");
        try (var s = Files.list(dir.resolve("cache"))) {
            assertThat(s.filter(Files::isDirectory)).isEmpty(); // no half-made copy left
        }
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedCopiesAndEveryOneInUse() throws Exception {
        BootJarCopy inUse = copier(jar("app0.jar", "org.springframework.boot.loader.launch.JarLauncher"));
        Path kept = inUse.current(log).getParent();
        Files.setLastModifiedTime(kept, FileTime.fromMillis(1_000)); // the least recently used of all
        List<Path> copies = new ArrayList<>();
        for (int i = 1; i <= BootJarCopy.KEEP + 2; i++) {
            // Each from its own copier, as from other primaries that exited: their locks are released.
            BootJarCopy other = copier(jar("app" + i + ".jar", "org.springframework.boot.loader.launch.JarLauncher"));
            Path c = other.current(log).getParent();
            Files.setLastModifiedTime(c, FileTime.fromMillis(10_000L * i));
            copies.add(c);
            other.release(); // as that primary's exit does
        }
        copier(jar("last.jar", "org.springframework.boot.loader.launch.JarLauncher")).current(log);
        assertThat(kept).isDirectory(); // locked by a live copier
        // The KEEP most recent are last.jar's and apps KEEP+2 … 4; apps 1-3 went, with their lock files.
        assertThat(copies.subList(0, 3)).allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(copies.subList(3, copies.size())).allSatisfy(p -> assertThat(p).isDirectory());
        // Lock files stay (a primary waiting on one must never hold a lock on a deleted file); nothing half deleted.
        assertThat(dir.resolve("cache").resolve(copies.get(0).getFileName() + ".lock")).exists();
        try (var s = Files.list(dir.resolve("cache"))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
        java.lang.ref.Reference.reachabilityFence(inUse); // a collected copier's channels close, and its locks go
    }
}
